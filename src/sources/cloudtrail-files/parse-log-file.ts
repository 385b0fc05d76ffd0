import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AuditEvent } from '../../model/audit-event.js';
import { fingerprintText, idIsContent } from '../../util/content-fingerprint.js';
import { normalizeCloudTrailRecord } from '../cloudtrail-common/normalize-record.js';
import { archivableAsIs, parseLogFile } from './read-gzip.js';

/** What a parse worker is asked: one log file's bytes as stored. */
export interface ParseTask {
  key: string;
  sourceName: string;
  compressed: Uint8Array;
  /** Compute the SHA-256 of the uncompressed file (digest validation). */
  hash: boolean;
  /** Largest uncompressed size accepted (bytes). */
  maxBytes: number;
}

/**
 * A parsed file, for the trip back to the main thread: the events themselves, as JSON text of
 * `AuditEvent` (so the row format is the type: a field added to AuditEvent travels with no change
 * here, and the main thread's JSON.parse builds the final objects in one allocation), beside each
 * the fingerprint of its record's content; the bytes to archive are transferred, not copied.
 */
export type ParseResult =
  | {
      ok: true;
      /** JSON of `AuditEvent[]`. */
      events: string;
      /** Content fingerprint of each event's record, in the order of `events`. */
      contents: Float64Array;
      records: number;
      notEvents: number;
      invalid: { index: number; message: string }[];
      /** The file as stored when it can be archived byte for byte, else one record per line, gzipped. */
      archive: Uint8Array;
      sha256?: string;
      uncompressedBytes: number;
    }
  | { ok: false; code: string; message: string };

const MiB = 1024 * 1024;

/**
 * Gunzips (1 MiB output chunks: a fraction of the inflate calls of the 16 KiB default), parses and
 * normalizes one log file. Runs in a worker thread (parse-worker.ts); never throws: a file that is
 * not a CloudTrail log, or decompresses past the cap, is a failed result naming it.
 */
export function parseLogFileBytes(task: ParseTask): ParseResult {
  const compressed = Buffer.from(task.compressed.buffer, task.compressed.byteOffset, task.compressed.byteLength);
  let content: Buffer;
  try {
    content = gunzipSync(compressed, { chunkSize: MiB, maxOutputLength: task.maxBytes });
  } catch (e) {
    if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      return {
        ok: false,
        code: 'DATA_TOO_LARGE',
        message: `${task.key} decompresses to more than ${Math.round(task.maxBytes / MiB)} MiB (the maxLogFileMiB cap); not read`,
      };
    }
    return { ok: false, code: 'DATA_INVALID', message: `${task.key} is not a valid gzip file (${e instanceof Error ? e.message : String(e)})` };
  }
  let file: ReturnType<typeof parseLogFile>;
  try {
    file = parseLogFile(task.key, content);
  } catch (e) {
    return { ok: false, code: 'DATA_INVALID', message: e instanceof Error ? e.message : String(e) };
  }
  const asIs = archivableAsIs(compressed, content, file);
  const sha256 = task.hash ? createHash('sha256').update(content).digest('hex') : undefined;
  const uncompressedBytes = content.length;
  const lines: string[] = [];
  const events: AuditEvent[] = [];
  const contents: number[] = [];
  const invalid: { index: number; message: string }[] = [];
  let notEvents = 0;
  const records = file.Records;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const text = JSON.stringify(record) ?? 'null';
    if (!asIs) lines.push(text);
    let event;
    try {
      event = normalizeCloudTrailRecord(record, task.sourceName, 'cloudtrail-files');
    } catch (e) {
      invalid.push({ index: i, message: e instanceof Error ? e.message : String(e) });
      continue;
    }
    if (event === null) {
      notEvents++;
      continue;
    }
    events.push(event);
    contents.push(idIsContent(event.id) ? 0 : fingerprintText(text));
  }
  const archive = asIs ? compressed : gzipSync(lines.join('\n') + '\n', { level: 1 });
  return { ok: true, events: JSON.stringify(events), contents: Float64Array.from(contents), records: records.length, notEvents, invalid, archive, ...(sha256 ? { sha256 } : {}), uncompressedBytes };
}
