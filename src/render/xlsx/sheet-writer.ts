import type { CellValue } from './cell-values.js';
import type { StyleSheet } from './style-sheet.js';
import type { Style } from './styles.js';
import { escapeXml } from './xml-text.js';
import { cellText } from './cell-text.js';
import { createTextBuffer } from '../../util/text-buffer.js';
import type { PartStream } from './zip-writer.js';
import { createColumnSharing, type SharedStrings } from './shared-strings.js';

/**
 * One worksheet part (ECMA-376 Part 1, §18.3.1.99), written as XML text straight into its zip
 * entry as rows come: no object per row or cell is kept. Elements after the rows (protection,
 * filter, merges, validations, page setup) are few and written when the sheet ends.
 */
export interface SheetSetup {
  name: string;
  widths?: readonly number[];
  /** Rows above and including the header: frozen, and the last of them repeated on printed pages. */
  frozenRows?: number;
  landscape: boolean;
  fitToWidth: number;
  /** Protected without a password: cells are read-only unless their style unlocks them. */
  protect: boolean;
}

/** A data validation (§18.3.1.32): a list of allowed texts, or a date. */
export type Validation =
  | { sqref: string; type: 'list'; values: readonly string[]; prompt?: string }
  | { sqref: string; type: 'date'; prompt?: string };

export interface SheetWriter {
  readonly name: string;
  /** Rows written so far (the last row number). */
  readonly rows: number;
  /**
   * Writes a row; a promise when the zip needs a moment to catch up. An empty cell is written
   * when it has a style, unless that style is the column's entry in `skipEmpty`.
   */
  addRow(values: readonly CellValue[], styles: readonly (Partial<Style> | undefined)[], height?: number, skipEmpty?: readonly (Partial<Style> | undefined)[]): Promise<void> | undefined;
  /** Merges columns `from`..`to` (1-based) of a written row. */
  merge(row: number, from: number, to: number): void;
  autoFilter(ref: string): void;
  validate(v: Validation): void;
  end(): Promise<void>;
}

const FLUSH_BYTES = 256 * 1024;

const letters: string[] = [''];
/** Spreadsheet column letters: 1 → A, 27 → AA. */
export function columnLetters(n: number): string {
  while (letters.length <= n) {
    let s = '';
    for (let c = letters.length; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
    letters.push(s);
  }
  return letters[n];
}

const openings: string[] = [];
/** `<c r="` and the column's letters: what every cell of column n starts with. */
function cellOpening(n: number): string {
  return (openings[n] ??= `<c r="${columnLetters(n)}`);
}

interface CellAttributes {
  /** A cell with a style and no value. */
  empty: string;
  /** Up to the value of a number (or a time, a number of days). */
  number: string;
  /** Up to the value of a text (`t="str"`). */
  text: string;
  /** Up to the index of a shared text (`t="s"`). */
  shared: string;
}
const attributesByStyle: CellAttributes[] = [];
/** What follows a cell's reference for style id s (0: none), up to its value. */
function cellAttributes(s: number): CellAttributes {
  let a = attributesByStyle[s];
  if (!a) {
    const style = s ? `" s="${s}"` : '"';
    a = { empty: `${style}/>`, number: `${style}><v>`, text: `${style} t="str"><v>`, shared: `${style} t="s"><v>` };
    attributesByStyle[s] = a;
  }
  return a;
}

export function createSheetWriter(part: PartStream, styles: StyleSheet, strings: SharedStrings, setup: SheetSetup): SheetWriter {
  const frozen = setup.frozenRows ?? 0;
  const share = createColumnSharing(strings);
  const out = createTextBuffer(FLUSH_BYTES + 64 * 1024);
  let rows = 0;
  const merges: string[] = [];
  const validations: Validation[] = [];
  let filter: string | null = null;

  let head =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
    '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>';
  head += frozen > 0
    ? `<sheetViews><sheetView workbookViewId="0"><pane ySplit="${frozen}" topLeftCell="A${frozen + 1}" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A${frozen + 1}" sqref="A${frozen + 1}"/></sheetView></sheetViews>`
    : '<sheetViews><sheetView workbookViewId="0"/></sheetViews>';
  head += '<sheetFormatPr defaultRowHeight="15"/>';
  if (setup.widths?.length) {
    head += '<cols>';
    // Neighbouring columns of one width share a <col> element, as Excel writes them.
    const w = setup.widths;
    for (let i = 0; i < w.length; ) {
      let j = i;
      while (j + 1 < w.length && w[j + 1] === w[i]) j++;
      head += `<col min="${i + 1}" max="${j + 1}" width="${w[i]}" customWidth="1"/>`;
      i = j + 1;
    }
    head += '</cols>';
  }
  head += '<sheetData>';
  out.put(head);

  const flush = (): Promise<void> | undefined => {
    const chunk = out.take();
    return part.write(chunk, () => out.recycle(chunk));
  };

  return {
    name: setup.name,
    get rows() {
      return rows;
    },
    addRow(values, cellStyles, height, skipEmpty) {
      const r = ++rows;
      const rowText = String(r);
      out.put(height ? `<row r="${rowText}" ht="${height}" customHeight="1">` : `<row r="${rowText}">`);
      const n = Math.max(values.length, cellStyles.length);
      // The row's cells as one string, put in one call: a put per piece (five per cell) was a
      // third of a large workbook's time (bench/render-xlsx.ts: 4.6 → 3.1 s at 300k rows).
      let cells = '';
      for (let c = 0; c < n; c++) {
        const v = values[c];
        if (v === undefined && (cellStyles[c] === undefined || cellStyles[c] === skipEmpty?.[c])) continue;
        const s = styles.id(cellStyles[c]);
        if (v === undefined && !s) continue;
        // A cell is its column's opening, the row number, its style's attributes, the value.
        const a = cellAttributes(s);
        const opening = cellOpening(c + 1) + rowText;
        if (v === undefined) cells += opening + a.empty;
        else if (typeof v === 'number') cells += opening + a.number + String(v) + '</v></c>';
        else {
          const id = share(c, v);
          cells += id >= 0 ? opening + a.shared + id + '</v></c>' : opening + a.text + escapeXml(cellText(v)) + '</v></c>';
        }
      }
      out.put(cells);
      out.put('</row>');
      return out.size >= FLUSH_BYTES ? flush() : undefined;
    },
    merge(row, from, to) {
      merges.push(`${columnLetters(from)}${row}:${columnLetters(to)}${row}`);
    },
    autoFilter(ref) {
      filter = ref;
    },
    validate(v) {
      validations.push(v);
    },
    async end() {
      let tail = '</sheetData>';
      if (setup.protect) {
        // Sorting, filtering and resizing stay allowed ("0": not protected); no password, so
        // anyone may lift the protection, but no value changes by accident.
        tail += '<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0" sort="0" autoFilter="0"/>';
      }
      if (filter) tail += `<autoFilter ref="${filter}"/>`;
      if (merges.length) tail += `<mergeCells count="${merges.length}">${merges.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells>`;
      if (validations.length) {
        tail += `<dataValidations count="${validations.length}">`;
        for (const v of validations) {
          const prompt = v.prompt ? ` showInputMessage="1" prompt="${escapeXml(v.prompt)}"` : '';
          tail += v.type === 'list'
            ? `<dataValidation type="list" allowBlank="1" showErrorMessage="1"${prompt} sqref="${v.sqref}"><formula1>"${escapeXml(v.values.join(','))}"</formula1></dataValidation>`
            : `<dataValidation type="date" operator="greaterThan" allowBlank="1" showErrorMessage="1"${prompt} sqref="${v.sqref}"><formula1>1</formula1></dataValidation>`;
        }
        tail += '</dataValidations>';
      }
      tail += '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>';
      tail += `<pageSetup orientation="${setup.landscape ? 'landscape' : 'portrait'}" fitToWidth="${setup.fitToWidth}" fitToHeight="0"/>`;
      tail += '</worksheet>';
      out.put(tail);
      await flush();
      await part.end();
    },
  };
}
