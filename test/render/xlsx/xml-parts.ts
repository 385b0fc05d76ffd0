import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';

/**
 * A second, independent reader for the tests: unzips with fflate and reads the SpreadsheetML
 * parts directly (ECMA-376 Part 1, §18.3 worksheets, §18.8 styles), without exceljs.
 */
export interface RawCell {
  ref: string;
  /** The t attribute: str, s, inlineStr, n (absent), b, e. */
  type: string | undefined;
  style: number;
  /** The cell's value as it reads: a shared text (t="s") is its text in the shared string table, not its index. */
  value: string | undefined;
  /** True when the cell holds an <f> element. */
  formula: boolean;
}

export interface RawSheet {
  name: string;
  part: string;
  xml: string;
  cells: Map<string, RawCell>;
}

export interface RawWorkbook {
  parts: Record<string, string>;
  sheets: RawSheet[];
  /** numFmt format code for each cellXfs index. */
  formatOfStyle: string[];
}

const decode = (s: string) =>
  s.replace(/&(lt|gt|amp|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) =>
    dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[name]);

const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1]) : undefined;
};

const BUILTIN_FORMATS: Record<number, string> = { 0: 'General', 3: '#,##0', 10: '0.00%', 14: 'mm-dd-yy', 22: 'm/d/yy h:mm' };

export function readRawWorkbook(path: string): RawWorkbook {
  const files = unzipSync(new Uint8Array(readFileSync(path)));
  const parts: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(files)) parts[name] = strFromU8(bytes);

  const rels = new Map<string, string>();
  for (const m of parts['xl/_rels/workbook.xml.rels'].matchAll(/<Relationship\b[^>]*>/g)) {
    rels.set(attr(m[0], 'Id')!, attr(m[0], 'Target')!);
  }
  // The shared string table (§18.4.9): each <si> is a text, of one <t> or of rich-text runs' <t>s.
  const shared = [...(parts['xl/sharedStrings.xml'] ?? '').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((si) =>
    [...si[1].matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)].map((t) => decode(t[1])).join(''));
  const sheets: RawSheet[] = [];
  for (const m of parts['xl/workbook.xml'].matchAll(/<sheet\b[^>]*>/g)) {
    const part = `xl/${rels.get(attr(m[0], 'r:id')!)!.replace(/^\/?xl\//, '')}`;
    const xml = parts[part];
    const cells = new Map<string, RawCell>();
    for (const c of xml.matchAll(/<c\b([^>]*?)(\/>|>([\s\S]*?)<\/c>)/g)) {
      const tag = `<c${c[1]}>`;
      const inner = c[3] ?? '';
      const v = /<v>([\s\S]*?)<\/v>/.exec(inner) ?? /<t\b[^>]*>([\s\S]*?)<\/t>/.exec(inner);
      const ref = attr(tag, 'r')!;
      const type = attr(tag, 't');
      const value = v ? decode(v[1]) : undefined;
      cells.set(ref, { ref, type, style: Number(attr(tag, 's') ?? 0), value: type === 's' && value !== undefined ? shared[Number(value)] : value, formula: /<f[\s>/]/.test(inner) });
    }
    sheets.push({ name: attr(m[0], 'name')!, part, xml, cells });
  }

  const styles = parts['xl/styles.xml'];
  const custom = new Map<number, string>();
  for (const m of styles.matchAll(/<numFmt\b[^>]*>/g)) custom.set(Number(attr(m[0], 'numFmtId')), attr(m[0], 'formatCode')!);
  const xfs = /<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)?.[1] ?? '';
  const formatOfStyle = [...xfs.matchAll(/<xf\b[^>]*>/g)].map((m) => {
    const id = Number(attr(m[0], 'numFmtId') ?? 0);
    return custom.get(id) ?? BUILTIN_FORMATS[id] ?? `builtin ${id}`;
  });
  return { parts, sheets, formatOfStyle };
}

/** Excel serial date (1900 system) → epoch ms of the wall clock it shows. */
export function serialToMs(serial: number): number {
  return Math.round((serial - 25569) * 86_400_000);
}
