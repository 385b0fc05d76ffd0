import type { Style } from './styles.js';
import { escapeXml } from './xml-text.js';

/**
 * The workbook's styles part (ECMA-376 Part 1, §18.8): each distinct cell style becomes one
 * `cellXfs` entry, referenced from cells by index. Styles are looked up by object identity first
 * (the palette hands out shared objects), so a million cells cost a million map lookups, not a
 * million style comparisons.
 */
export interface StyleSheet {
  /** The cellXfs index of a style; 0 is the default (no style). */
  id(style: Partial<Style> | undefined): number;
  xml(): string;
}

/** Built-in number formats (§18.8.30) the workbook uses; others are custom, from id 164. */
const BUILTIN_FORMATS: Record<string, number> = { General: 0, '0': 1, '0.00': 2, '#,##0': 3, '#,##0.00': 4, '0%': 9, '0.00%': 10 };

const DEFAULT_FONT = '<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>';

export function createStyleSheet(): StyleSheet {
  const byObject = new WeakMap<object, number>();
  const xfs: string[] = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'];
  const byKey = new Map<string, number>([[xfs[0], 0]]);
  const fonts = new Map<string, number>([[DEFAULT_FONT, 0]]);
  const fills = new Map<string, number>([
    ['<fill><patternFill patternType="none"/></fill>', 0],
    ['<fill><patternFill patternType="gray125"/></fill>', 1],
  ]);
  const borders = new Map<string, number>([['<border><left/><right/><top/><bottom/><diagonal/></border>', 0]]);
  const numFmts = new Map<string, number>();
  const indexIn = (table: Map<string, number>, xml: string): number => {
    let i = table.get(xml);
    if (i === undefined) {
      i = table.size;
      table.set(xml, i);
    }
    return i;
  };
  const formatId = (code: string): number => {
    const builtin = BUILTIN_FORMATS[code];
    if (builtin !== undefined) return builtin;
    let id = numFmts.get(code);
    if (id === undefined) {
      id = 164 + numFmts.size;
      numFmts.set(code, id);
    }
    return id;
  };
  const xfOf = (s: Partial<Style>): string => {
    const attrs: string[] = [];
    const numFmtId = s.numFmt ? formatId(s.numFmt) : 0;
    let fontId = 0;
    if (s.font) {
      const f = s.font;
      fontId = indexIn(fonts, `<font>${f.bold ? '<b/>' : ''}${f.italic ? '<i/>' : ''}${f.size ? `<sz val="${f.size}"/>` : ''}${f.color ? `<color rgb="${f.color.argb}"/>` : ''}</font>`);
    }
    const fillId = s.fill ? indexIn(fills, `<fill><patternFill patternType="solid"><fgColor rgb="${s.fill.fgColor.argb}"/></patternFill></fill>`) : 0;
    const bottom = s.border?.bottom;
    const borderId = bottom
      ? indexIn(borders, `<border><left/><right/><top/><bottom style="${bottom.style}">${bottom.color ? `<color rgb="${bottom.color.argb}"/>` : ''}</bottom><diagonal/></border>`)
      : 0;
    attrs.push(`numFmtId="${numFmtId}"`, `fontId="${fontId}"`, `fillId="${fillId}"`, `borderId="${borderId}"`, 'xfId="0"');
    if (numFmtId) attrs.push('applyNumberFormat="1"');
    if (fontId) attrs.push('applyFont="1"');
    if (fillId) attrs.push('applyFill="1"');
    if (borderId) attrs.push('applyBorder="1"');
    const a = s.alignment;
    const alignment = a && (a.vertical || a.wrapText) ? `<alignment${a.vertical ? ` vertical="${a.vertical}"` : ''}${a.wrapText ? ' wrapText="1"' : ''}/>` : '';
    if (alignment) attrs.push('applyAlignment="1"');
    const protection = s.protection && !s.protection.locked ? '<protection locked="0"/>' : '';
    if (protection) attrs.push('applyProtection="1"');
    const inner = alignment + protection;
    return inner ? `<xf ${attrs.join(' ')}>${inner}</xf>` : `<xf ${attrs.join(' ')}/>`;
  };
  return {
    id(style) {
      if (!style) return 0;
      let id = byObject.get(style);
      if (id !== undefined) return id;
      const xf = xfOf(style);
      id = byKey.get(xf);
      if (id === undefined) {
        id = xfs.length;
        xfs.push(xf);
        byKey.set(xf, id);
      }
      byObject.set(style, id);
      return id;
    },
    xml() {
      const list = (name: string, items: Iterable<string>, extra = '') => {
        const all = [...items];
        return `<${name} count="${all.length}"${extra}>${all.join('')}</${name}>`;
      };
      const formats = [...numFmts].map(([code, id]) => `<numFmt numFmtId="${id}" formatCode="${escapeXml(code)}"/>`);
      return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
        (formats.length ? list('numFmts', formats) : '') +
        list('fonts', fonts.keys()) +
        list('fills', fills.keys()) +
        list('borders', borders.keys()) +
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
        list('cellXfs', xfs) +
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
        '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>' +
        '</styleSheet>'
      );
    },
  };
}
