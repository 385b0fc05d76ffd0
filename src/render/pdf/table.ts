import { newPage } from './page-flow.js';
import type { PdfContext } from './pdf-context.js';
import { COLOR, CONTENT_WIDTH, PAGE, SIZE } from './theme.js';

export interface Column<T> {
  header: string;
  /** Relative width; the columns share the table width in proportion. */
  weight: number;
  align?: 'left' | 'right';
  value(row: T): string;
  /** A second, smaller grey line under the value (the UTC time under a local time, an id under a name). */
  sub?(row: T): string | null;
  /** Lines the value may wrap to before it ends in "…" (default: no limit, the value is never cut). */
  maxLines?: number;
  /** Lines the sub line may wrap to (default: no limit). */
  subLines?: number;
  bold?(row: T): boolean;
  /** Text colour of this cell (a failure count in red). */
  color?(row: T): string | undefined;
}

export interface TableOptions<T> {
  /** Shown as "<title> (continued)" above the repeated header on every following page. */
  title: string;
  /** Background of a row (failure rows, failed windows); zebra stripes otherwise. */
  rowFill?(row: T): string | undefined;
  /** Text colour of a whole row. */
  rowColor?(row: T): string | undefined;
  emptyText?: string;
  /**
   * A full-width line under the row's cells (an exception's event id and what it changed): long
   * ids and details wrap over the table's width instead of being squeezed into one column.
   */
  note?(row: T): string | null;
}

/** A note longer than this many lines would not fit on a page with its row: the rest is named, not dropped silently. */
const MAX_NOTE_LINES = 24;

const PAD_X = 4;
const PAD_Y = 2.5;

/**
 * A table that continues across pages with its header repeated (and "(continued)" in the title
 * line above it). Rows may come from an async stream; only one row is in hand at a time.
 * Returns the number of rows drawn.
 */
export async function drawTable<T>(
  ctx: PdfContext,
  columns: Column<T>[],
  rows: Iterable<T> | AsyncIterable<T>,
  options: TableOptions<T>,
): Promise<number> {
  const { ts, doc } = ctx;
  const total = columns.reduce((s, c) => s + c.weight, 0);
  const widths = columns.map((c) => (c.weight / total) * CONTENT_WIDTH);
  const xs = widths.map((_, i) => PAGE.marginX + widths.slice(0, i).reduce((s, w) => s + w, 0));
  const body = { size: SIZE.tableBody };
  const subStyle = { size: SIZE.small, color: COLOR.muted };
  const lh = ts.lineHeight(body);
  const subLh = ts.lineHeight(subStyle);

  const headerStyle = { size: SIZE.tableHeader, bold: true };
  const headerLines = columns.map((c, i) => ts.wrap(c.header, widths[i] - 2 * PAD_X, headerStyle, 2));
  const headerHeight = Math.max(...headerLines.map((l) => l.length)) * ts.lineHeight(headerStyle) + 2 * PAD_Y;

  const drawHeader = (continued: boolean) => {
    if (continued) {
      ts.line(`${options.title} (continued)`, PAGE.marginX, ctx.y, { size: SIZE.h3, bold: true, color: COLOR.muted });
      ctx.y += SIZE.h3 * 1.6;
    }
    doc.rect(PAGE.marginX, ctx.y, CONTENT_WIDTH, headerHeight).fill(COLOR.headerFill);
    columns.forEach((c, i) => {
      headerLines[i].forEach((l, j) => {
        ts.line(l, xs[i] + PAD_X, ctx.y + PAD_Y + j * ts.lineHeight(headerStyle), {
          ...headerStyle,
          width: widths[i] - 2 * PAD_X,
          align: c.align ?? 'left',
        });
      });
    });
    ctx.y += headerHeight;
    doc.moveTo(PAGE.marginX, ctx.y).lineTo(PAGE.marginX + CONTENT_WIDTH, ctx.y).lineWidth(0.6).strokeColor(COLOR.rule).stroke();
  };

  if (ctx.y + headerHeight + lh + 2 * PAD_Y > PAGE.contentBottom) newPage(ctx);
  drawHeader(false);

  let n = 0;
  for await (const row of rows) {
    const cells = columns.map((c, i) => {
      const w = widths[i] - 2 * PAD_X;
      const main = ts.wrap(c.value(row), w, { ...body, bold: c.bold?.(row) }, c.maxLines);
      const subText = c.sub?.(row);
      const sub = subText ? ts.wrap(subText, w, subStyle, c.subLines) : [];
      return { main, sub };
    });
    const noteText = options.note?.(row);
    let note = noteText ? ts.wrap(noteText, CONTENT_WIDTH - 2 * PAD_X, subStyle) : [];
    if (note.length > MAX_NOTE_LINES) {
      note = [...note.slice(0, MAX_NOTE_LINES - 1), `[${note.length - MAX_NOTE_LINES + 1} more lines of this row: report.xlsx has the whole text]`];
    }
    const noteHeight = note.length * subLh;
    const height = Math.max(...cells.map((c) => c.main.length * lh + c.sub.length * subLh)) + 2 * PAD_Y + noteHeight;
    if (ctx.y + height > PAGE.contentBottom) {
      newPage(ctx);
      drawHeader(true);
    }
    const fill = options.rowFill?.(row) ?? (n % 2 === 1 ? COLOR.zebra : undefined);
    if (fill) doc.rect(PAGE.marginX, ctx.y, CONTENT_WIDTH, height).fill(fill);
    const color = options.rowColor?.(row);
    cells.forEach((cell, i) => {
      const c = columns[i];
      let top = ctx.y + PAD_Y;
      for (const l of cell.main) {
        ts.line(l, xs[i] + PAD_X, top, { ...body, bold: c.bold?.(row), color: c.color?.(row) ?? color, width: widths[i] - 2 * PAD_X, align: c.align ?? 'left' });
        top += lh;
      }
      for (const l of cell.sub) {
        ts.line(l, xs[i] + PAD_X, top, { ...subStyle, width: widths[i] - 2 * PAD_X, align: c.align ?? 'left' });
        top += subLh;
      }
    });
    note.forEach((l, j) => {
      ts.line(l, PAGE.marginX + PAD_X, ctx.y + height - PAD_Y - noteHeight + j * subLh, { ...subStyle, color: COLOR.text, width: CONTENT_WIDTH - 2 * PAD_X });
    });
    ctx.y += height;
    n++;
  }
  if (n === 0) {
    ts.line(options.emptyText ?? 'No rows.', PAGE.marginX + PAD_X, ctx.y + PAD_Y, { ...body, color: COLOR.muted });
    ctx.y += lh + 2 * PAD_Y;
  }
  doc.moveTo(PAGE.marginX, ctx.y).lineTo(PAGE.marginX + CONTENT_WIDTH, ctx.y).lineWidth(0.6).strokeColor(COLOR.rule).stroke();
  ctx.y += 10;
  return n;
}
