import { toCellValue, type Clock, type RawValue } from './cell-values.js';
import type { RenderContext } from './render-context.js';
import type { SheetWriter } from './sheet-writer.js';
import type { CellKind, Mark, Style } from './styles.js';

/** One cell of a free-form (non-table) row. */
export type PlainCell = RawValue | { value: RawValue; kind?: CellKind; clock?: Clock; mark?: Mark; bold?: boolean; wrap?: boolean };

/**
 * A free-form row: `title` and `section` style the whole row, `header` is a small table's header,
 * `pair` makes the first cell a bold label, `note` is grey italics.
 */
export interface PlainRow {
  cells: PlainCell[];
  role?: 'title' | 'section' | 'header' | 'pair' | 'note' | 'plain';
  /** Row height in points, for a header whose text wraps (readers do not all grow rows themselves). */
  height?: number;
  /** Merge the last cell across the remaining columns and wrap it: for a long text above a wide table. */
  spanLast?: boolean;
}

export const blankRow: PlainRow = { cells: [] };

const SPAN_WIDTH = 100;

function styleOf(ctx: RenderContext, row: PlainRow, cell: PlainCell, index: number): Partial<Style> {
  const { palette } = ctx;
  if (typeof cell === 'object' && cell !== null) {
    // A cell's own format or mark wins over its row's role: a count in a header row is a count.
    if (cell.kind || cell.mark) return palette.cell(cell.kind ?? 'text', cell.mark ?? 'none');
    if (cell.wrap) return palette.wrap;
    if (cell.bold) return palette.label;
  }
  switch (row.role) {
    case 'title':
      return palette.title;
    case 'section':
      return palette.section;
    case 'header':
      return palette.header;
    case 'note':
      return palette.note;
    case 'pair':
      return index === 0 ? palette.label : palette.cell('text', 'none');
    default:
      return palette.cell('text', 'none');
  }
}

/** Writes free-form rows one after another; returns how many were written. `widths` lets `spanLast` rows size themselves. */
export async function writePlainRows(ws: SheetWriter, rows: readonly PlainRow[], ctx: RenderContext, widths: readonly number[] = []): Promise<number> {
  const plainText = ctx.palette.cell('text', 'none');
  for (const row of rows) {
    const values = row.cells.map((c) => {
      const spec = typeof c === 'object' && c !== null ? c : { value: c };
      return toCellValue(spec.kind ?? 'text', spec.value, spec.clock, ctx.wallClock);
    });
    let height = row.height;
    // The 16 pt title, in a row some readers leave at the default 15 pt.
    if (!height && row.role === 'title') height = 22;
    else if (!height && row.role === 'header' && widths.length) {
      // Header text wraps; grow the row to fit, as not every reader does it by itself.
      const lines = Math.max(1, ...values.map((v, i) => (typeof v === 'string' ? Math.ceil((v.length + 1) / Math.max(1, (widths[i] ?? 10) - 1)) : 1)));
      if (lines > 1) height = 15 * lines;
    }
    // Empty cells are written only when styled (a header band, a section underline).
    const styles: (Partial<Style> | undefined)[] = row.cells.map((c, i) => {
      const style = styleOf(ctx, row, c, i);
      return values[i] !== undefined || style !== plainText ? style : undefined;
    });
    const last = row.cells.length;
    let end = last;
    if (row.spanLast && last > 0 && widths.length > last) {
      // Across columns up to about a screen's width, so the text wraps where it can be read.
      let span = widths[last - 1];
      while (end < widths.length && span < SPAN_WIDTH) span += widths[end++];
      const wrapped = ctx.palette.wrapped(styleOf(ctx, row, row.cells[last - 1], last - 1));
      styles[last - 1] = wrapped;
      // The merged cells carry the first one's style, so its fill and border run across.
      for (let i = last; i < end; i++) styles[i] = wrapped;
      const text = typeof values[last - 1] === 'string' ? (values[last - 1] as string) : '';
      height = 15 * Math.max(1, Math.ceil((text.length * 1.15) / span));
    }
    const wait = ws.addRow(values, styles, height);
    if (wait) await wait;
    if (end > last) ws.merge(ws.rows, last, end);
  }
  return rows.length;
}
