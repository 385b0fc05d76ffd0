import type { Style, Worksheet } from 'exceljs';
import { AuditpackError } from '../../errors.js';
import { displayWidth } from './cell-text.js';
import { shownLength, toCellValue, type CellValue, type Clock, type RawValue } from './cell-values.js';
import { writePlainRows, type PlainRow } from './plain-rows.js';
import { addSheet, createPacer, type RenderContext } from './render-context.js';
import { shareRowStyle, type CellKind, type Mark } from './styles.js';

export interface Column<R> {
  header: string;
  kind: CellKind;
  /** Which clock a `time` column shows; the header names the zone. */
  clock?: Clock;
  value(row: R): RawValue;
  /** Fixed width in characters; otherwise estimated from the header and a sample of values. */
  width?: number;
  /** With `markScope: 'marked'`, only these cells carry the row's mark. */
  marked?: boolean;
}

export interface TableSpec<R> {
  /** Sheet name; continuations are "<name> (2)", "<name> (3)"… */
  name: string;
  columns: Column<R>[];
  /** Colour for a row: failure rows, severities. */
  mark?: (row: R) => Mark;
  /** `row`: the whole row carries the mark; `marked`: only the columns flagged `marked`. */
  markScope?: 'row' | 'marked';
  /** Rows above the header (repeated on continuation sheets). */
  preamble?: PlainRow[];
  /** Rows below the table, after one blank row, on the last sheet. */
  epilogue?: PlainRow[];
  /** Rows the source says it has; a different count is an error, never a silent cut. */
  expectedRows?: number;
}

export interface TableResult {
  sheets: string[];
  rows: number;
}

const SAMPLE_ROWS = 500;
const PACE_EVERY = 64;
const MIN_WIDTH = 10;
const MAX_WIDTH = 60;
const HEADER_WIDTH = 18;

/** Spreadsheet column letters: 1 → A, 27 → AA. */
function columnLetters(n: number): string {
  let s = '';
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

/** Sheet names a table of `rows` data rows will take, given the per-sheet row limit. */
export function continuationNames(name: string, rows: number, rowLimit: number, headerRow = 1): string[] {
  const perSheet = rowLimit - headerRow;
  const n = Math.max(1, Math.ceil(rows / perSheet));
  return Array.from({ length: n }, (_, i) => (i === 0 ? name : `${name} (${i + 1})`));
}

/** A time column pair: the report zone's wall clock, and UTC beside it. */
export function timeColumns<R>(label: string, timeZone: string, value: (row: R) => number | string | null | undefined): Column<R>[] {
  return [
    { header: `${label} (${timeZone})`, kind: 'time', clock: 'local', value },
    { header: `${label} (UTC)`, kind: 'time', clock: 'utc', value },
  ];
}

function estimateWidths<R>(columns: Column<R>[], sample: CellValue[][]): number[] {
  const measure = (s: string) => displayWidth(s.length > MAX_WIDTH * 2 ? s.slice(0, MAX_WIDTH * 2) : s);
  return columns.map((col, c) => {
    if (col.width) return col.width;
    // Headers wrap (see the header style), so a long header such as "First event
    // (America/New_York)" does not widen a column of short dates past HEADER_WIDTH;
    // +3 leaves room for the autofilter button.
    let w = Math.min(displayWidth(col.header) + 3, HEADER_WIDTH);
    for (const values of sample) w = Math.max(w, shownLength(col.kind, values[c], measure) + 2);
    return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, w));
  });
}

/**
 * Writes a table, streaming: header row frozen and repeated when printed, autofilter, widths
 * estimated from the first rows, number and date formats, marked rows coloured; past the row
 * limit the table continues on a new sheet with the same header.
 */
export async function writeTable<R>(ctx: RenderContext, spec: TableSpec<R>, source: AsyncIterable<R> | Iterable<R>): Promise<TableResult> {
  const { columns, preamble = [] } = spec;
  const headerRow = preamble.length + 1;
  const perSheet = ctx.rowLimit - headerRow;
  if (perSheet < 1) throw new AuditpackError('INTERNAL', `row limit ${ctx.rowLimit} leaves no room for rows on sheet ${spec.name}`);
  const scope = spec.markScope ?? 'row';
  const rowStyle = ctx.palette.row;
  // Per column, the style for each mark, looked up once rather than once per cell.
  const plain = columns.map((col) => ctx.palette.cell(col.kind, 'none'));
  const markedStyles = new Map<Mark, Partial<Style>[]>();
  const stylesFor = (mark: Mark): Partial<Style>[] => {
    let styles = markedStyles.get(mark);
    if (!styles) {
      styles = columns.map((col) => (scope === 'row' || col.marked ? ctx.palette.cell(col.kind, mark) : ctx.palette.cell(col.kind, 'none')));
      markedStyles.set(mark, styles);
    }
    return styles;
  };
  const toValues = (row: R): CellValue[] => columns.map((col) => toCellValue(col.kind, col.value(row), col.clock, ctx.wallClock));

  const iterator = (Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<R>)[Symbol.iterator]()) as AsyncIterator<R> | Iterator<R>;
  const pending: R[] = [];
  const sample: CellValue[][] = [];
  let done = false;
  while (pending.length < SAMPLE_ROWS) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    pending.push(next.value);
    sample.push(toValues(next.value));
  }
  const widths = estimateWidths(columns, sample);
  const headerLines = Math.max(...columns.map((col, c) => Math.ceil((displayWidth(col.header) + 2) / Math.max(1, widths[c] - 2))));
  const headerHeight = headerLines > 1 ? 15 * headerLines : undefined;

  const sheets: string[] = [];
  let ws: Worksheet | null = null;
  let pace: () => Promise<void> = async () => {};
  let onSheet = 0;
  let total = 0;

  const openSheet = (): Worksheet => {
    const name = sheets.length === 0 ? spec.name : `${spec.name} (${sheets.length + 1})`;
    const sheet = addSheet(ctx, name, { frozenRows: headerRow, widths });
    writePlainRows(sheet, preamble, ctx, widths);
    writePlainRows(sheet, [{ cells: columns.map((c) => c.header), role: 'header', height: headerHeight }], ctx);
    sheets.push(name);
    pace = createPacer(sheet, ctx.failed);
    onSheet = 0;
    return sheet;
  };
  const closeSheet = (sheet: Worksheet) => {
    const ref = `A${headerRow}:${columnLetters(columns.length)}${headerRow + onSheet}`;
    sheet.autoFilter = ref;
    ctx.filters.push({ sheetIndex: ctx.sheets.indexOf(sheet.name), sheetName: sheet.name, ref });
    ctx.rows[sheet.name] = onSheet;
  };

  /** Writes one row; true when it is time to let the zip pipeline catch up. */
  const writeRow = (row: R, values: CellValue[]): boolean => {
    if (!ws || onSheet === perSheet) {
      if (ws) {
        closeSheet(ws);
        ws.commit();
      }
      ws = openSheet();
    }
    const mark = spec.mark ? spec.mark(row) : 'none';
    const r = ws.addRow(values);
    shareRowStyle(r, rowStyle);
    const styles = mark === 'none' ? plain : stylesFor(mark);
    for (let c = 0; c < styles.length; c++) {
      if (values[c] === undefined && styles[c] === plain[c]) continue;
      r.getCell(c + 1).style = styles[c];
    }
    r.commit();
    onSheet++;
    total++;
    return total % PACE_EVERY === 0;
  };

  for (let i = 0; i < pending.length; i++) if (writeRow(pending[i], sample[i])) await pace();
  pending.length = 0;
  sample.length = 0;
  while (!done) {
    const next = await iterator.next();
    if (next.done) break;
    if (writeRow(next.value, toValues(next.value))) await pace();
  }
  if (!ws) ws = openSheet();
  const lastSheet: Worksheet = ws;
  closeSheet(lastSheet);

  if (spec.epilogue?.length) {
    let target = lastSheet;
    if (headerRow + onSheet + 1 + spec.epilogue.length > ctx.rowLimit) {
      lastSheet.commit();
      target = addSheet(ctx, `${spec.name} (${sheets.length + 1})`);
      sheets.push(target.name);
    } else {
      writePlainRows(target, [{ cells: [] }], ctx);
    }
    writePlainRows(target, spec.epilogue, ctx);
    target.commit();
  } else {
    lastSheet.commit();
  }

  if (spec.expectedRows !== undefined && spec.expectedRows !== total) {
    throw new AuditpackError('INTERNAL', `sheet ${spec.name}: the model announced ${spec.expectedRows} rows but supplied ${total}`, {
      hint: 'the report model and its row stream disagree; re-run, and report this as a bug if it repeats',
    });
  }
  return { sheets, rows: total };
}
