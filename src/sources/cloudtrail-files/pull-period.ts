import { AuditpackError, isAuditpackError, toAuditpackError } from '../../errors.js';
import type { AttemptRecorder } from '../../http/types.js';
import type { TimeWindow } from '../../model/window.js';
import type { AuditEvent } from '../../model/audit-event.js';
import { decodeEvent } from '../../pipeline/event-codec.js';
import { createRecordReader, type RecordCursor } from '../../pipeline/record-codec.js';
import { ownedWhole, type WorkerPool } from '../../util/worker-pool.js';
import type { PeriodFile, PeriodPullContext } from '../source.js';
import type { RegionFolder } from './discover.js';
import { dayFolders, parseLogFileName } from './key-layout.js';
import { StoreMissingError, type LogStore } from './log-store.js';
import type { ParseResult, ParseTask } from './parse-log-file.js';
import { readObjectChunks } from './read-gzip.js';

export interface FilesPeriodDeps {
  store: LogStore;
  sourceName: string;
  /** The account/region folders to read (discovered once per run). */
  folders(rec: AttemptRecorder, signal: AbortSignal): Promise<RegionFolder[]>;
  /** Late-delivery margin (ms): files delivered up to this long after the period's end are read. */
  lateMs: number;
  /** When digests are verified: SHA-256 of each uncompressed file read, so validation need not read it again. */
  hashes: Map<string, string> | null;
  /** Largest uncompressed log file accepted (bytes). */
  maxFileBytes: number;
  /** Parse workers: started for the pull, stopped at its end. */
  startPool(): WorkerPool<ParseTask, ParseResult>;
  /** Files read and parsed at the same time (in order of listing, answers taken in that order). */
  inFlight: number;
}

/** A listed file and the window whose raw archive will hold it. */
interface Listed {
  key: string;
  window: number;
  /** Not a log file by its name: a problem, never read. */
  notLog?: boolean;
}

/**
 * The period's log files, each read once (key dates are delivery dates: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html). Every file
 * delivered from the period's start to its end plus the margin is listed, folder by folder and day
 * by day, read and parsed in worker threads, and handed on in listing order whatever the number of
 * workers, so the pack is the same with one worker or eight. A file is archived in the window it
 * was delivered in (the last window for files delivered after the end); the pipeline routes each
 * record to the window of its event time. A file in the delivery path that is not a log file by
 * name, or by content, is a problem of its window (the pack is INCOMPLETE), never a silent skip.
 */
export async function* pullFilesPeriod(windows: readonly TimeWindow[], ctx: PeriodPullContext, deps: FilesPeriodDeps): AsyncIterable<PeriodFile> {
  if (windows.length === 0) return;
  const { signal } = ctx;
  const start = windows[0].start;
  const end = windows[windows.length - 1].end;
  const last = windows.length - 1;
  const windowOf = (t: number) => {
    if (t >= end) return last;
    const i = windows.findIndex((w) => t < w.end);
    return i < 0 ? last : i;
  };
  const bump = (w: number, key: string, by = 1) => {
    const extra = ctx.stats(w).extra;
    extra[key] = Number(extra[key] ?? 0) + by;
  };
  const folders = await deps.folders(ctx.stats(0), signal);
  for (const [i] of windows.entries()) {
    Object.assign(ctx.stats(i).extra, { accountRegionFolders: folders.length, lateDeliveryMinutes: Math.round(deps.lateMs / 60_000) });
  }

  // The delivery days: each window's, from its start to its end plus the margin (one span for a whole period).
  const days = [...new Set(windows.flatMap((w) => dayFolders(w.start, w.end + deps.lateMs - 1)))].sort();
  async function* listed(): AsyncIterable<Listed> {
    for (const f of folders) {
      for (const day of days) {
        const dayWindow = windowOf(Math.max(start, Date.parse(`${day.replace(/\//g, '-')}T00:00:00Z`)));
        bump(dayWindow, 'dayFoldersListed');
        for await (const page of deps.store.listFolder(`${f.folder}${day}/`, ctx.stats(dayWindow), signal)) {
          for (const file of page.files) {
            if (file.key.endsWith('/')) continue; // a zero-byte "folder" object some S3 tools create
            const name = parseLogFileName(file.key);
            if (!name) {
              yield { key: file.key, window: dayWindow, notLog: true };
              continue;
            }
            if (!windows.some((w) => name.deliveredAt >= w.start && name.deliveredAt < w.end + deps.lateMs)) continue;
            if (name.deliveredAt >= end) bump(last, 'filesDeliveredAfterEnd');
            yield { key: file.key, window: windowOf(name.deliveredAt) };
          }
        }
      }
    }
  }

  const pool = deps.startPool();
  // One reader for the pull: the strings it keeps (services, operations, requesters) repeat across files.
  const reader = createRecordReader();
  try {
    for await (const read of inOrder(listed(), deps.inFlight, (f) => readFile(f, ctx, deps, pool))) {
      const file = read(reader);
      if (file.error) bump(file.window, 'filesFailed');
      else bump(file.window, 'bytesRead', file.bytes);
      ctx.progress({ pages: 1, records: file.records });
      yield file;
    }
  } finally {
    await pool.close();
  }
}

/** Maps with at most `limit` calls in flight, yielding results in the input's order. */
async function* inOrder<T, R>(items: AsyncIterable<T>, limit: number, fn: (item: T) => Promise<R>): AsyncIterable<R> {
  const queue: Promise<R>[] = [];
  for await (const item of items) {
    const p = fn(item);
    p.catch(() => undefined);
    queue.push(p);
    if (queue.length >= limit) yield await queue.shift()!;
  }
  while (queue.length > 0) yield await queue.shift()!;
}

/**
 * A file read and parsed, as a function that gives its events once the pull takes it: decoded as
 * each answer came, the files waiting their turn held their events as objects, which outlived the
 * young generation and were collected by full collections (a file's answer is ~1 MB of bytes, its
 * events ~3 MB of objects).
 */
type ReadFile = (reader: RecordCursor) => PeriodFile;

async function readFile(f: Listed, ctx: PeriodPullContext, deps: FilesPeriodDeps, pool: WorkerPool<ParseTask, ParseResult>): Promise<ReadFile> {
  const failed = (code: string, message: string, bytes = 0): ReadFile => () => ({
    kind: 'file', item: f.key, window: f.window, archive: null, records: 0, events: [], notEvents: 0, invalid: [], bytes, error: { code, message },
  });
  if (f.notLog) {
    return failed('DATA_INVALID', `${f.key} is in the trail's log folders but is not a CloudTrail log file by its name (<account>_CloudTrail_<region>_<time>_<id>.json.gz); not read`);
  }
  let compressed: Uint8Array;
  try {
    compressed = await readWithRetry(f.key, ctx, deps, f.window);
  } catch (e) {
    if (ctx.signal.aborted) throw toAuditpackError(e);
    if (e instanceof StoreMissingError) return failed('DATA_INVALID', `${f.key} was listed but is gone (deleted while reading?)`);
    const err = isAuditpackError(e) ? e : new AuditpackError('DATA_INVALID', `${f.key}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    if (err.fatal) throw err;
    return failed(err.code, err.message);
  }
  const bytes = compressed.byteLength;
  let result: ParseResult;
  try {
    result = await pool.run({ key: f.key, sourceName: deps.sourceName, compressed, hash: deps.hashes !== null, maxBytes: deps.maxFileBytes }, [compressed.buffer as ArrayBuffer]);
  } catch (e) {
    if (ctx.signal.aborted) throw toAuditpackError(e);
    return failed('WORKER_STOPPED', `${f.key} was not parsed: ${e instanceof Error ? e.message : String(e)}`, bytes);
  }
  if (!result.ok) return failed(result.code, result.message, bytes);
  if (deps.hashes && result.sha256) deps.hashes.set(f.key, result.sha256);
  const parsed = result;
  return (reader) => ({
    kind: 'file',
    item: f.key,
    window: f.window,
    archive: { gzip: parsed.archive, records: parsed.records },
    records: parsed.records,
    events: decodeEvents(parsed.events, parsed.contents, reader),
    notEvents: parsed.notEvents,
    invalid: parsed.invalid.map((p) => ({ item: `${f.key.slice(f.key.lastIndexOf('/') + 1)} record ${p.index + 1}`, message: p.message })),
    bytes,
  });
}

/**
 * The file's bytes as stored, in a buffer of its own (moved to the worker, not copied). The SDK
 * retries a GetObject that fails before its body starts; a body cut off midway (a reset
 * connection) surfaces only while streaming, so that is retried here, twice, after a short pause.
 */
async function readWithRetry(key: string, ctx: PeriodPullContext, deps: FilesPeriodDeps, window: number): Promise<Uint8Array> {
  const stats = ctx.stats(window);
  for (let attempt = 1; ; attempt++) {
    try {
      return await readBytes(deps.store, key, stats, ctx.signal);
    } catch (e) {
      if (attempt >= 3 || !isAuditpackError(e) || e.code !== 'HTTP_NETWORK' || ctx.signal.aborted) throw e;
      const wait = 250 * attempt;
      stats.retries++;
      stats.retryWaitMs += wait;
      await ctx.clock.sleep(wait, ctx.signal);
    }
  }
}

async function readBytes(store: LogStore, key: string, rec: AttemptRecorder, signal: AbortSignal): Promise<Uint8Array> {
  const { chunks, size } = await readObjectChunks(store, key, rec, signal);
  // A file read whole (a local copy) comes as one buffer of its own: moved as it is, not copied.
  if (chunks.length === 1) return ownedWhole(chunks[0]);
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * The worker's events (spill records: a 4-byte length, then the event's bytes), each made as it is
 * asked for, with its bytes and fingerprint.
 */
export function* decodeEvents(bytes: Uint8Array, contents: Float64Array, reader: RecordCursor): Generator<{ event: AuditEvent; content: number; encoded: Buffer }> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 0;
  for (let at = 0; at < buf.length; i++) {
    const start = at + 4;
    at = start + buf.readUInt32LE(at);
    reader.load(buf, start);
    yield { event: decodeEvent(reader), content: contents[i], encoded: buf.subarray(start, at) };
  }
  if (i !== contents.length) throw new AuditpackError('INTERNAL', `a parse worker returned ${i} events and ${contents.length} fingerprints`);
}
