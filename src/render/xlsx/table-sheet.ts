import { AuditpackError } from '../../errors.js';
import { displayWidth } from './cell-text.js';
import { shownLength, toCellValue, type CellValue, type Clock, type RawValue } from './cell-values.js';
import { writePlainRows, type PlainRow } from './plain-rows.js';
import { addSheet, type RenderContext } from './render-context.js';
import { forEachRow, type Rows } from '../../model/row-batches.js';
import { columnLetters, type SheetWriter } from './sheet-writer.js';
import type { CellKind, Mark, Style } from './styles.js';


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
  /**
   * A column the reviewer or tester fills in: its cells are left empty and unlocked on the
   * protected sheet, formatted by `kind`; `list` limits them to those values, and a `day`
   * column takes dates only.
   */
  input?: { list?: readonly string[]; prompt?: string };
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
const MIN_WIDTH = 10;
const MAX_WIDTH = 60;
const HEADER_WIDTH = 18;

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
export async function writeTable<R>(ctx: RenderContext, spec: TableSpec<R>, source: Rows<R>): Promise<TableResult> {
  const { columns, preamble = [] } = spec;
  const headerRow = preamble.length + 1;
  const perSheet = ctx.rowLimit - headerRow;
  if (perSheet < 1) throw new AuditpackError('INTERNAL', `row limit ${ctx.rowLimit} leaves no room for rows on sheet ${spec.name}`);
  const scope = spec.markScope ?? 'row';
  // Per column, the style for each mark, looked up once rather than once per cell.
  const plain = columns.map((col) => (col.input ? ctx.palette.input(col.kind) : ctx.palette.cell(col.kind, 'none')));
  const markedStyles = new Map<Mark, Partial<Style>[]>();
  const stylesFor = (mark: Mark): Partial<Style>[] => {
    let styles = markedStyles.get(mark);
    if (!styles) {
      styles = columns.map((col, c) => (!col.input && (scope === 'row' || col.marked) ? ctx.palette.cell(col.kind, mark) : plain[c]));
      markedStyles.set(mark, styles);
    }
    return styles;
  };
  // An empty cell is written only where it has a look of its own (a marked row's fill, an input cell).
  const skipEmpty = columns.map((col, c) => (col.input ? undefined : plain[c]));
  const toValues = (row: R): CellValue[] => columns.map((col) => (col.input ? undefined : toCellValue(col.kind, col.value(row), col.clock, ctx.wallClock)));

  // Widths come from the first SAMPLE_ROWS rows, held until then.
  const pending: R[] = [];
  const sample: CellValue[][] = [];
  let widths: number[] = [];
  let headerHeight: number | undefined;
  const measure = () => {
    widths = estimateWidths(columns, sample);
    const headerLines = Math.max(...columns.map((col, c) => Math.ceil((displayWidth(col.header) + 2) / Math.max(1, widths[c] - 2))));
    headerHeight = headerLines > 1 ? 15 * headerLines : undefined;
  };

  const sheets: string[] = [];
  let ws: SheetWriter | null = null;
  let onSheet = 0;
  let total = 0;

  const openSheet = async (): Promise<SheetWriter> => {
    const name = sheets.length === 0 ? spec.name : `${spec.name} (${sheets.length + 1})`;
    const sheet = addSheet(ctx, name, { frozenRows: headerRow, widths });
    await writePlainRows(sheet, preamble, ctx, widths);
    await writePlainRows(sheet, [{ cells: columns.map((c) => c.header), role: 'header', height: headerHeight }], ctx);
    sheets.push(name);
    onSheet = 0;
    return sheet;
  };
  const closeSheet = (sheet: SheetWriter) => {
    const ref = `A${headerRow}:${columnLetters(columns.length)}${headerRow + onSheet}`;
    sheet.autoFilter(ref);
    ctx.workbook.defineName({ name: '_xlnm._FilterDatabase', sheetIndex: ctx.sheets.indexOf(sheet.name), ref: ref.replace(/([A-Z]+)(\d+)/g, '$$$1$$$2') });
    if (onSheet > 0) {
      columns.forEach((col, c) => {
        if (!col.input) return;
        const sqref = `${columnLetters(c + 1)}${headerRow + 1}:${columnLetters(c + 1)}${headerRow + onSheet}`;
        if (col.input.list) sheet.validate({ sqref, type: 'list', values: col.input.list, prompt: col.input.prompt });
        else if (col.kind === 'day') sheet.validate({ sqref, type: 'date', prompt: col.input.prompt ?? 'A date, e.g. 2026-11-15' });
      });
    }
    ctx.rows[sheet.name] = onSheet;
  };

  const put = (sheet: SheetWriter, row: R, values: CellValue[]): Promise<void> | undefined => {
    const mark = spec.mark ? spec.mark(row) : 'none';
    onSheet++;
    total++;
    return sheet.addRow(values, mark === 'none' ? plain : stylesFor(mark), undefined, skipEmpty);
  };
  /** Writes one row; a promise only when a sheet turns or the zip asks to wait (no await per row). */
  const writeRow = (row: R, values: CellValue[]): Promise<void> | undefined => {
    if (ws && onSheet < perSheet) return put(ws, row, values);
    return (async () => {
      if (ws) {
        closeSheet(ws);
        await ws.end();
      }
      ws = await openSheet();
      await put(ws, row, values);
    })();
  };

  let measured = false;
  /** The held rows, once the widths are known. */
  const writePending = async () => {
    measured = true;
    measure();
    for (let i = 0; i < pending.length; i++) {
      const wait = writeRow(pending[i], sample[i]);
      if (wait) await wait;
    }
    pending.length = 0;
    sample.length = 0;
  };
  await forEachRow(source, (row) => {
    if (measured) return writeRow(row, toValues(row));
    pending.push(row);
    sample.push(toValues(row));
    return pending.length < SAMPLE_ROWS ? undefined : writePending();
  });
  if (!measured) await writePending();
  if (!ws) ws = await openSheet();
  const lastSheet: SheetWriter = ws;
  closeSheet(lastSheet);

  if (spec.epilogue?.length) {
    if (headerRow + onSheet + 1 + spec.epilogue.length > ctx.rowLimit) {
      await lastSheet.end();
      const target = addSheet(ctx, `${spec.name} (${sheets.length + 1})`);
      sheets.push(target.name);
      await writePlainRows(target, spec.epilogue, ctx);
      await target.end();
    } else {
      await writePlainRows(lastSheet, [{ cells: [] }, ...spec.epilogue], ctx);
      await lastSheet.end();
    }
  } else {
    await lastSheet.end();
  }

  if (spec.expectedRows !== undefined && spec.expectedRows !== total) {
    throw new AuditpackError('INTERNAL', `sheet ${spec.name}: the model announced ${spec.expectedRows} rows but supplied ${total}`, {
      hint: 'the report model and its row stream disagree; re-run, and report this as a bug if it repeats',
    });
  }
  return { sheets, rows: total };
}
