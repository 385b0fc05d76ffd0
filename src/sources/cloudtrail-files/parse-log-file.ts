import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createGunzipInto } from '../../util/gunzip-into.js';
import type { AuditEvent } from '../../model/audit-event.js';
import { encodeEvent } from '../../pipeline/event-codec.js';
import { createRecordBuilder } from '../../pipeline/record-codec.js';
import { fingerprintBytes, fingerprintSpacedBytes, idIsContent, recordFingerprint } from '../../util/content-fingerprint.js';
import { normalizeCloudTrailRecord } from '../cloudtrail-common/normalize-record.js';
import { archivableAsIs, parseLogFile } from './read-gzip.js';
import { recordSpans, TooDeepError, type RecordSpans } from '../../util/json-record-spans.js';
import { ARCHIVE_GZIP_LEVEL } from '../../pack/locate-page.js';

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
      /** The events, as spill records: a view of the start of a buffer that may be larger, which moves whole. */
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
 * How large a buffer a file's content needs: the size its gzip trailer states (ISIZE, the last
 * member's size mod 2^32: https://www.rfc-editor.org/rfc/rfc1952#section-2.3.1) and a little room,
 * so a usual file inflates in one call; 1 MiB where the trailer cannot be trusted (several members,
 * a size past the cap), from which the buffer grows.
 */
export function contentSizeHint(compressed: Uint8Array, maxBytes: number): number {
  if (compressed.length < 18) return MiB;
  const at = compressed.length - 4;
  const stated = (compressed[at] | (compressed[at + 1] << 8) | (compressed[at + 2] << 16)) + compressed[at + 3] * 2 ** 24;
  return stated + 64 <= maxBytes ? Math.max(64 * 1024, stated + 64) : MiB;
}

/** This thread's gunzipper: each file inflated into the same buffer. */
const gunzipper = createGunzipInto();

/**
 * Gunzips (into one buffer, the thread's: contentSizeHint), parses and
 * normalizes one log file. Runs in a worker thread (parse-worker.ts); never throws: a file that is
 * not a CloudTrail log, or decompresses past the cap, is a failed result naming it.
 */
export function parseLogFileBytes(task: ParseTask): ParseResult {
  const compressed = Buffer.from(task.compressed.buffer, task.compressed.byteOffset, task.compressed.byteLength);
  let content: Buffer;
  try {
    content = gunzipper.gunzip(compressed, task.maxBytes, contentSizeHint(compressed, task.maxBytes));
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
  let spans: RecordSpans | null = null;
  let tooDeep: TooDeepError | null = null;
  try {
    spans = recordSpans(content);
  } catch (e) {
    if (!(e instanceof TooDeepError)) throw e;
    tooDeep = e;
  }
  const sha256 = task.hash ? createHash('sha256').update(content).digest('hex') : undefined;
  const common = { compressed, content, sourceName: task.sourceName, uncompressedBytes: content.length, ...(sha256 ? { sha256 } : {}) };
  // Record by record where the file is the usual one array under "Records": each record dies
  // young, instead of the whole file's records living (and being promoted to old space) until the
  // file is done. Anything else, and any record that is not JSON, takes the whole-file parse,
  // which says what is wrong as it always did.
  const skeleton = spans && !tooDeep ? fileWithoutRecords(task.key, content, spans) : null;
  if (spans && skeleton) {
    const bySpan = spans;
    try {
      return readRecords(common, skeleton, bySpan.start.length, (i) => parseRecord(content, bySpan, i), bySpan);
    } catch (e) {
      if (!(e instanceof NotJsonError)) throw e;
    }
  }
  let file: ReturnType<typeof parseLogFile>;
  try {
    file = parseLogFile(task.key, content);
  } catch (e) {
    return { ok: false, code: 'DATA_INVALID', message: e instanceof Error ? e.message : String(e) };
  }
  if (tooDeep) return { ok: false, code: 'DATA_INVALID', message: `${task.key} holds JSON ${tooDeep.message}; not read` };
  const records = file.Records;
  // Each record's fingerprint from its bytes as received; from the parsed record where the
  // file's shape is one the scan does not follow (the counts then disagree).
  const bySpan = spans !== null && spans.start.length === records.length ? spans : null;
  return readRecords(common, file, records.length, (i) => records[i], bySpan);
}

interface FileBytes {
  compressed: Buffer;
  content: Buffer;
  sourceName: string;
  uncompressedBytes: number;
  sha256?: string;
}

/** The file's records normalized, encoded and fingerprinted, and what goes to the raw archive. */
function readRecords(f: FileBytes, file: Record<string, unknown>, count: number, recordAt: (i: number) => unknown, bySpan: RecordSpans | null): ParseResult {
  const { compressed, content } = f;
  const asIs = archivableAsIs(compressed, content, file);
  const lines: string[] = [];
  const out = eventsOut();
  const contents: number[] = [];
  const invalid: { index: number; message: string }[] = [];
  let notEvents = 0;
  for (let i = 0; i < count; i++) {
    const record = recordAt(i);
    if (!asIs) lines.push(JSON.stringify(record) ?? 'null');
    let event;
    try {
      event = normalizeCloudTrailRecord(record, f.sourceName, 'cloudtrail-files');
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
  const archive = asIs ? compressed : gzipSync(lines.join('\n') + '\n', { level: ARCHIVE_GZIP_LEVEL });
  return {
    ok: true, events: out.bytes(), contents: Float64Array.from(contents), records: count, notEvents, invalid, archive,
    ...(f.sha256 ? { sha256: f.sha256 } : {}), uncompressedBytes: f.uncompressedBytes,
  };
}

class NotJsonError extends Error {}

function parseRecord(content: Buffer, spans: RecordSpans, i: number): unknown {
  try {
    return JSON.parse(content.toString('utf8', spans.start[i], spans.end[i]));
  } catch {
    throw new NotJsonError();
  }
}

/**
 * The file with its one records' array emptied, parsed, when the rest of the file is valid JSON
 * and the bytes between the records are JSON's separators (`RecordSpans.separated`), so that the
 * file is valid JSON if each record is; null otherwise: the file is then read whole.
 */
export function fileWithoutRecords(key: string, content: Buffer, spans: RecordSpans): Record<string, unknown> | null {
  if (spans.arrays !== 1 || !spans.separated || spans.open < 0 || spans.close < 0) return null;
  try {
    const file = parseLogFile(key, Buffer.concat([content.subarray(0, spans.open + 1), content.subarray(spans.close)]));
    return file.Records.length === 0 ? file : null;
  } catch {
    return null;
  }
}

/**
 * Events appended as spill records, straight into the buffer that is moved to the main thread (one
 * per file, sized from the last one filled, so a small file moves a small buffer: no copy of an
 * event's bytes, nor of the file's).
 */
const builder = createRecordBuilder(64 * 1024);

function eventsOut() {
  builder.reset();
  return {
    add(event: AuditEvent) {
      const at = builder.beginFrame();
      encodeEvent(event, builder);
      builder.endFrame(at);
    },
    /** The events' bytes, in a buffer owned whole (to be transferred). */
    bytes: (): Uint8Array => builder.detach(),
  };
}
