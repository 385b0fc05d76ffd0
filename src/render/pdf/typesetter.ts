import type { FontFiles } from './font-files.js';
import { splitRuns, type ScriptClass } from './script-runs.js';
import { COLOR, LEADING } from './theme.js';

export interface TextStyle {
  size: number;
  bold?: boolean;
  color?: string;
}

export interface LineOptions extends TextStyle {
  /** Box width for alignment and for the ellipsis of a line that does not fit. */
  width?: number;
  align?: 'left' | 'right' | 'center';
}

/**
 * Text drawing with a font per script run (see script-runs.ts). All text goes through here:
 * pdfkit's own wrapping would measure a mixed Latin/CJK string with one font only.
 */
export interface Typesetter {
  width(text: string, style: TextStyle): number;
  lineHeight(style: TextStyle): number;
  /** One line whose box starts at `top`; cut with "…" when wider than `width`. */
  line(text: string, x: number, top: number, options: LineOptions): void;
  /** Lines of at most `width`; the last of `maxLines` ends in "…" when text is left over. */
  wrap(text: string, width: number, style: TextStyle, maxLines?: number): string[];
  /** Wrapped lines drawn from `top`; returns the height used. */
  paragraph(text: string, x: number, top: number, width: number, style: TextStyle, maxLines?: number): number;
}

const ELLIPSIS = '…';
// Where a long identifier (ARN, e-mail, URL, path) may break when it has no spaces.
// Not '_': it joins words of one name (America/New_York).
const BREAK_AFTER = new Set(['/', ':', '.', ',', ';', '@', '-', '=', '&', '?', '|']);
// Between a lower-case letter or digit and an upper-case one: the word boundary of a camelCase name.
const CAMEL_BREAK = /(?<=[\p{Ll}\d])(?=\p{Lu})/u;

export function createTypesetter(doc: PDFKit.PDFDocument, fonts: FontFiles): Typesetter {
  const fontFor = (script: ScriptClass, bold: boolean | undefined): string =>
    script === 'cjk' ? (bold ? fonts.cjkBold : fonts.cjkRegular) : bold ? fonts.latinBold : fonts.latinRegular;

  // Advance widths scale linearly with the size, so one measurement per string and weight serves
  // every size. Wrapping and fitting measure the same tokens over and over; shaping them is the
  // main cost of the render. The cache lives as long as this typesetter (one render).
  const unitWidths = new Map<string, number>();
  const width = (text: string, style: TextStyle): number => {
    const key = (style.bold ? 'b' : 'r') + text;
    let unit = unitWidths.get(key);
    if (unit === undefined) {
      unit = 0;
      for (const run of splitRuns(text)) unit += doc.font(fontFor(run.script, style.bold)).fontSize(100).widthOfString(run.text) / 100;
      unitWidths.set(key, unit);
    }
    return unit * style.size;
  };

  const fit = (text: string, max: number, style: TextStyle): string => {
    if (width(text, style) <= max) return text;
    const chars = [...text];
    let lo = 0;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (width(chars.slice(0, mid).join('') + ELLIPSIS, style) <= max) lo = mid;
      else hi = mid - 1;
    }
    return chars.slice(0, lo).join('').trimEnd() + ELLIPSIS;
  };

  const line = (text: string, x: number, top: number, o: LineOptions): void => {
    const shown = o.width === undefined ? text : fit(text, o.width, o);
    let cx = x;
    if (o.width !== undefined && o.align && o.align !== 'left') {
      const w = width(shown, o);
      cx = o.align === 'right' ? x + o.width - w : x + (o.width - w) / 2;
    }
    // One baseline for every run: Noto Sans and Noto Sans JP have different ascenders, so
    // "top"-aligned runs would not sit on the same line.
    const baseline = top + o.size * 0.98;
    doc.fillColor(o.color ?? COLOR.text);
    for (const run of splitRuns(shown)) {
      doc.font(fontFor(run.script, o.bold)).fontSize(o.size);
      doc.text(run.text, cx, baseline, { lineBreak: false, baseline: 'alphabetic' });
      cx += doc.widthOfString(run.text);
    }
  };

  const tokens = (text: string): string[] => {
    const out: string[] = [];
    let cur = '';
    const flush = () => {
      if (cur) out.push(cur);
      cur = '';
    };
    for (const ch of text) {
      const space = /\s/.test(ch);
      if (space !== /\s/.test(cur.at(-1) ?? ch)) flush();
      if (!space && splitRuns(ch)[0]?.script === 'cjk') {
        flush();
        out.push(ch);
        continue;
      }
      cur += ch;
      if (BREAK_AFTER.has(ch)) flush();
    }
    flush();
    return out;
  };

  const wrap = (text: string, max: number, style: TextStyle, maxLines = Infinity): string[] => {
    const lines: string[] = [];
    for (const para of text.split('\n')) {
      let lineText = '';
      let lineWidth = 0;
      const push = () => {
        lines.push(lineText.trimEnd());
        lineText = '';
        lineWidth = 0;
      };
      // Puts `piece` on this line, else on a new one; false (the line pushed) when it is wider than a whole line.
      const place = (piece: string, w: number): boolean => {
        if (lineWidth + w <= max) {
          lineText += piece;
          lineWidth += w;
          return true;
        }
        if (lineText) push();
        if (w > max) return false;
        lineText = piece;
        lineWidth = w;
        return true;
      };
      for (const tok of tokens(para)) {
        if (/^\s+$/.test(tok)) {
          // Spaces never start a line: one that does not fit ends the line instead.
          if (!lineText) continue;
          const w = width(tok, style);
          if (lineWidth + w <= max) {
            lineText += tok;
            lineWidth += w;
          } else push();
          continue;
        }
        if (place(tok, width(tok, style))) continue;
        // A token wider than the line (a long id without break points): break it between the
        // words of a camelCase name ("AccessDenied|Exception"), and by characters only where one
        // such word is itself wider than the line.
        for (const piece of tok.split(CAMEL_BREAK)) {
          if (place(piece, width(piece, style))) continue;
          for (const ch of piece) {
            const cw = width(ch, style);
            if (lineWidth + cw > max && lineText) push();
            lineText += ch;
            lineWidth += cw;
          }
        }
      }
      push();
    }
    if (lines.length > maxLines) {
      const kept = lines.slice(0, maxLines);
      kept[maxLines - 1] = fit(`${kept[maxLines - 1]}${ELLIPSIS}`, max, style);
      return kept;
    }
    return lines;
  };

  const lineHeight = (style: TextStyle): number => style.size * LEADING;

  const paragraph = (text: string, x: number, top: number, w: number, style: TextStyle, maxLines?: number): number => {
    const lines = wrap(text, w, style, maxLines);
    lines.forEach((l, i) => line(l, x, top + i * lineHeight(style), style));
    return lines.length * lineHeight(style);
  };

  return { width, lineHeight, line, wrap, paragraph };
}
