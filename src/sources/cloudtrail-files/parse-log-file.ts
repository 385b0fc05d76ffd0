import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AuditEvent } from '../../model/audit-event.js';
import { encodeEvent } from '../../pipeline/event-codec.js';
import { createRecordBuilder } from '../../pipeline/record-codec.js';
import { fingerprintBytes, fingerprintSpacedBytes, idIsContent, recordFingerprint } from '../../util/content-fingerprint.js';
import { normalizeCloudTrailRecord } from '../cloudtrail-common/normalize-record.js';
import { archivableAsIs, parseLogFile } from './read-gzip.js';
import { recordSpans, TooDeepError } from '../../util/json-record-spans.js';

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
 * A parsed file, for the trip back to the main thread: the events in the spill's record format
 * (each a 4-byte little-endian length, then `encodeEvent`'s bytes: src/pipeline/event-codec.ts),
 * so the main thread decodes them without parsing text and spills them without encoding them
 * again; beside each the fingerprint of its record's content. Both buffers, and the bytes to
 * archive, are transferred, not copied.
 */
export type ParseResult =
  | {
      ok: true;
      /** The events, as spill records. */
      events: Uint8Array;
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
  const records = file.Records;
  // Each record's fingerprint from its bytes as received; from the parsed record where the
  // file's shape is one the scan does not follow (the counts then disagree).
  let spans: ReturnType<typeof recordSpans>;
  try {
    spans = recordSpans(content);
  } catch (e) {
    if (!(e instanceof TooDeepError)) throw e;
    return { ok: false, code: 'DATA_INVALID', message: `${task.key} holds JSON ${e.message}; not read` };
  }
  const bySpan = spans !== null && spans.start.length === records.length ? spans : null;
  const lines: string[] = [];
  const out = eventsOut();
  const contents: number[] = [];
  const invalid: { index: number; message: string }[] = [];
  let notEvents = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (!asIs) lines.push(JSON.stringify(record) ?? 'null');
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
    out.add(event);
    if (idIsContent(event.id)) contents.push(0);
    else if (!bySpan) contents.push(recordFingerprint(event.id, record));
    else contents.push(bySpan.spaced[i] ? fingerprintSpacedBytes(content, bySpan.start[i], bySpan.end[i]) : fingerprintBytes(content, bySpan.start[i], bySpan.end[i]));
  }
  const archive = asIs ? compressed : gzipSync(lines.join('\n') + '\n', { level: 1 });
  return { ok: true, events: out.bytes(), contents: Float64Array.from(contents), records: records.length, notEvents, invalid, archive, ...(sha256 ? { sha256 } : {}), uncompressedBytes };
}

const builder = createRecordBuilder();

/** Events appended as spill records into one buffer of their own (to be transferred). */
function eventsOut() {
  let buf = Buffer.allocUnsafeSlow(1 << 20);
  let size = 0;
  return {
    add(event: AuditEvent) {
      builder.reset();
      encodeEvent(event, builder);
      const bytes = builder.bytes();
      if (size + 4 + bytes.length > buf.length) {
        const next = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, size + 4 + bytes.length));
        buf.copy(next, 0, 0, size);
        buf = next;
      }
      buf.writeUInt32LE(bytes.length, size);
      bytes.copy(buf, size + 4);
      size += 4 + bytes.length;
    },
    /** A copy the exact size of the events (a buffer owned whole, so it can be transferred). */
    bytes(): Uint8Array {
      const own = new Uint8Array(size);
      own.set(buf.subarray(0, size));
      return own;
    },
  };
}
