import type { stream, Worksheet } from 'exceljs';
import type { SheetFilter } from './filter-names.js';
import type { StylePalette } from './styles.js';
import type { WallClock } from './wall-clock.js';

/** What every sheet writer needs, created once per render (no shared state between renders). */
export interface RenderContext {
  workbook: stream.xlsx.WorkbookWriter;
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
  /** Autofilters set so far, declared as filter ranges before the workbook is committed. */
  filters: SheetFilter[];
  /** Rejects when the zip or the file behind it fails, so no wait outlives a broken stream. */
  failed: Promise<never>;
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

/** Adds a sheet; the header row (if any) is frozen and printed on every page. */
export function addSheet(ctx: RenderContext, name: string, opts: SheetOptions = {}): Worksheet {
  const frozen = opts.frozenRows ?? 0;
  const totalWidth = (opts.widths ?? []).reduce((a, b) => a + b, 0);
  const ws = ctx.workbook.addWorksheet(name, {
    views: frozen > 0 ? [{ state: 'frozen', xSplit: 0, ySplit: frozen, topLeftCell: `A${frozen + 1}`, activeCell: `A${frozen + 1}` }] : [{}],
    pageSetup: {
      orientation: opts.landscape === false ? 'portrait' : 'landscape',
      fitToPage: true,
      fitToWidth: Math.max(1, Math.ceil(totalWidth / (opts.landscape === false ? PORTRAIT_CHARS_PER_PAGE : PRINT_CHARS_PER_PAGE))),
      fitToHeight: 0,
      ...(frozen > 0 ? { printTitlesRow: `${frozen}:${frozen}` } : {}),
    },
  });
  if (opts.widths) ws.columns = opts.widths.map((width) => ({ width }));
  ctx.sheets.push(name);
  ctx.rows[name] = 0;
  return ws;
}

/** Node streams expose buffered bytes as writableLength/readableLength; readable-stream@2 (used by archiver) only in its state objects. */
interface StreamLike {
  writableLength?: number;
  readableLength?: number;
  _writableState?: { length?: number };
  _readableState?: { length?: number };
  once(event: 'drain', listener: () => void): unknown;
}

function isStreamLike(x: unknown): x is StreamLike {
  return typeof x === 'object' && x !== null && typeof (x as StreamLike).once === 'function' &&
    (typeof (x as StreamLike).writableLength === 'number' || typeof (x as StreamLike)._writableState?.length === 'number');
}

function buffered(s: StreamLike): number {
  const w = s.writableLength ?? s._writableState?.length ?? 0;
  const r = s.readableLength ?? s._readableState?.length ?? 0;
  return w + r;
}

const HIGH_WATER = 8 * 1024 * 1024;

/**
 * A pause point for long sheets. exceljs's sheet buffer (StreamBuf) pushes into the zip entry's
 * stream without honouring backpressure, so an unchecked writer outruns deflate and holds the
 * sheet in memory (measured: ~900 MB RSS for 1M rows). We wait for that stream to drain when it
 * holds more than HIGH_WATER bytes, and otherwise just let the event loop turn so the zip
 * pipeline can run. The stream is exceljs internals (4.4.0: `worksheet.stream.pipes[0]`, a
 * readable-stream@2 PassThrough); if the shape ever changes we fall back to yielding only.
 */
export function createPacer(ws: Worksheet, failed: Promise<never>): () => Promise<void> {
  const holder = (ws as unknown as { stream?: { pipes?: unknown[] } }).stream;
  const sink = holder?.pipes?.[0];
  const drainable = isStreamLike(sink) ? sink : null;
  return async () => {
    if (drainable && buffered(drainable) > HIGH_WATER) {
      await Promise.race([new Promise<void>((resolve) => drainable.once('drain', resolve)), failed]);
    } else {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
}
