import type { SheetWriter } from './sheet-writer.js';
import type { StylePalette } from './styles.js';
import type { WallClock } from './wall-clock.js';
import type { WorkbookWriter } from './workbook-writer.js';

/** What every sheet writer needs, created once per render (no shared state between renders). */
export interface RenderContext {
  workbook: WorkbookWriter;
  palette: StylePalette;
  /** Report zone wall-clock for local time columns. */
  wallClock: WallClock;
  /** IANA name of the report zone, shown in headers. */
  timeZone: string;
  /** Rows per sheet, header included (Excel: 1,048,576). */
  rowLimit: number;
  /** Names of the sheets written so far, in order. */
  sheets: string[];
  /** Rows written per sheet (data rows of tables; all rows of other sheets). */
  rows: Record<string, number>;
}

export interface SheetOptions {
  /** Rows above and including the header: frozen, repeated on printed pages. */
  frozenRows?: number;
  landscape?: boolean;
  /** Column widths; printing spreads a wide table over pages of ~220 characters each. */
  widths?: number[];
}

const PRINT_CHARS_PER_PAGE = 220;
const PORTRAIT_CHARS_PER_PAGE = 150;

/**
 * Adds a sheet, protected without a password (values cannot be changed by accident; the cells
 * meant to be filled are unlocked by their style); the header row (if any) is frozen and printed
 * on every page.
 */
export function addSheet(ctx: RenderContext, name: string, opts: SheetOptions = {}): SheetWriter {
  const frozen = opts.frozenRows ?? 0;
  const totalWidth = (opts.widths ?? []).reduce((a, b) => a + b, 0);
  const landscape = opts.landscape !== false;
  const ws = ctx.workbook.addSheet({
    name,
    widths: opts.widths,
    frozenRows: frozen,
    landscape,
    fitToWidth: Math.max(1, Math.ceil(totalWidth / (landscape ? PRINT_CHARS_PER_PAGE : PORTRAIT_CHARS_PER_PAGE))),
    protect: true,
  });
  if (frozen > 0) ctx.workbook.defineName({ name: '_xlnm.Print_Titles', sheetIndex: ctx.sheets.length, ref: `$${frozen}:$${frozen}` });
  ctx.sheets.push(name);
  ctx.rows[name] = 0;
  return ws;
}
