import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip, type ZlibOptions } from 'node:zlib';
import type { AuditEvent } from '../model/audit-event.js';
import type { ReportModel } from '../model/report-model.js';
import type { Renderer } from './renderer.js';
import { renderEventsCsvInWorker } from './events-csv-thread.js';
import { createTextBuffer } from '../util/text-buffer.js';
import { forEachRow, rowBatches, type Rows } from '../model/row-batches.js';
import { eventColumns } from './xlsx/sheets/event-table.js';
import { createIsoText, createLocalTime } from './xlsx/wall-clock.js';
import type { Column } from './xlsx/table-sheet.js';

const FLUSH_BYTES = 256 * 1024;
/**
 * zlib's level 3, the last of its fast levels: on the 1M-event bench's 324 MB of CSV, 1.4 s of
 * compression against 2.5 s at the default 6, for 51 MB instead of 46 MB (level 1: the same time,
 * 55 MB). The CSV is written beside the workbook, on the same two cores.
 */
const CSV_GZIP_LEVEL = 3;

/**
 * A CSV field (RFC 4180 §2): quoted when it holds a comma, a quote, CR or LF, quotes doubled.
 * Values are written as they are: this file is data for analysis tools, not a sheet, so nothing
 * is cut to Excel's cell limit and no text is altered.
 */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** How a column's value reads as text: times as ISO-like strings, numbers plain. */
function textOf(col: Column<AuditEvent>, e: AuditEvent, times: CsvTimes): string {
  const v = col.value(e);
  if (v === null || v === undefined) return '';
  if (col.kind === 'time' && typeof v === 'number') {
    // Local: the report zone's wall clock, "2026-10-01 00:00:00.000"; UTC: ISO 8601 with Z.
    return col.clock === 'utc' ? times.utc(v) : times.local(v);
  }
  return String(v);
}

interface CsvTimes {
  utc(t: number): string;
  local(t: number): string;
}

/**
 * events.csv.gz: every event of the Events population, with the Events sheet's columns (the one
 * list in sheets/event-table.ts), RFC 4180 (CRLF line ends, a header line), UTF-8 without a byte
 * order mark, gzip. For audit-analytics tools, and for populations past Excel's row limit.
 */
export async function renderEventsCsv(model: ReportModel, path: string, opts: { signal?: AbortSignal } = {}): Promise<{ rows: number }> {
  // Spilled events are written by a thread of their own, beside the workbook and the PDF.
  if (model.events.files) return renderEventsCsvInWorker(model.events.files, model.period.timeZone, path, opts.signal);
  return writeEventsCsv(rowBatches(model.events), model.period.timeZone, path);
}

/** The rows, in the order given, as events.csv.gz at path. */
export async function writeEventsCsv(rows: Rows<AuditEvent>, timeZone: string, path: string): Promise<{ rows: number }> {
  const columns = eventColumns(timeZone);
  const localTime = createLocalTime(timeZone);
  const localText = createIsoText(' ', '');
  const times: CsvTimes = { utc: createIsoText('T', 'Z'), local: (t) => localText(localTime(t)) };
  // A deep input buffer: the thread pool compresses while this thread builds the next lines.
  const gzip = createGzip({ level: CSV_GZIP_LEVEL, writableHighWaterMark: 4 * 1024 * 1024 } as ZlibOptions);
  const done = pipeline(gzip, createWriteStream(path));
  done.catch(() => undefined);
  const text = createTextBuffer(FLUSH_BYTES + 64 * 1024);
  text.put(columns.map((c) => csvField(c.header)).join(',') + '\r\n');
  let n = 0;
  try {
    await forEachRow(rows, (e) => {
      for (let c = 0; c < columns.length; c++) {
        if (c) text.put(',');
        text.put(csvField(textOf(columns[c], e, times)));
      }
      text.put('\r\n');
      n++;
      if (text.size < FLUSH_BYTES) return undefined;
      const chunk = text.take();
      const more = gzip.write(chunk, (err) => {
        if (!err) text.recycle(chunk);
      });
      return more ? undefined : Promise.race([once(gzip, 'drain'), done]).then(() => undefined);
    });
    gzip.end(text.take());
    await done;
  } catch (e) {
    gzip.destroy();
    throw e;
  }
  return { rows: n };
}

export const eventsCsvRenderer: Renderer = {
  name: 'events-csv',
  file: 'events.csv.gz',
  // Its work is in a worker thread when the events were spilled: it runs beside the other renderers.
  concurrent: true,
  async render(model, path, opts) {
    // Written with the Events sheet: a template without the population has neither.
    if (!model.sections.includes('events')) return { rows: 0 };
    return renderEventsCsv(model, path, opts);
  },
};
