import { AuditpackError, isAuditpackError, toAuditpackError } from '../../errors.js';
import type { AttemptRecorder } from '../../http/types.js';
import type { TimeWindow } from '../../model/window.js';
import type { PullContext, PullItem } from '../source.js';
import type { RegionFolder } from './discover.js';
import { dayFolders, parseLogFileName } from './key-layout.js';
import { StoreMissingError, type LogStore } from './log-store.js';
import { archivableAsIs, parseLogFile, readGzip } from './read-gzip.js';
import type { LogFileRead, SharedReads } from './shared-reads.js';

export interface FilesPullDeps {
  store: LogStore;
  /** The account/region folders to read (discovered once per run). */
  folders(rec: AttemptRecorder, signal: AbortSignal): Promise<RegionFolder[]>;
  /** Late-delivery margin (ms) added past the window's end. */
  lateMs: number;
  /** When digests are verified: SHA-256 of each uncompressed file read, so validation need not read it again. */
  hashes: Map<string, string> | null;
  shared: SharedReads;
  /** The time of the event a record normalizes to; null when it is no event or has no usable time. */
  eventTime(record: unknown): number | null;
}

/**
 * Pulls one window from log files. Key dates are delivery dates (API-NOTES §2), so the window
 * reads every file delivered in [start, end + lateMs): a file delivered after the end can still
 * hold the window's records, and a file delivered inside it can hold the previous window's. The
 * pipeline keeps records by eventTime and de-duplicates, so neighbouring windows read the same
 * file: in a run, it is read once and shared (shared-reads.ts), a lone window reads it itself.
 * Which window loads a shared file depends on scheduling, so the ledger does not say: `filesRead`
 * counts every file a window took records from, shared or not, and is the same on every run. One page per file, read one at a time.
 */
export async function* pullFilesWindow(window: TimeWindow, ctx: PullContext, deps: FilesPullDeps): AsyncIterable<PullItem> {
  const { stats, signal } = ctx;
  const until = window.end + deps.lateMs;
  const folders = await deps.folders(stats, signal);
  const counters = { filesRead: 0, bytesRead: 0, filesDeliveredAfterEnd: 0, filesFailed: 0, filesUnrecognised: 0, dayFoldersListed: 0 };
  const publish = () => {
    Object.assign(stats.extra, counters, { accountRegionFolders: folders.length, lateDeliveryMinutes: Math.round(deps.lateMs / 60_000) });
  };
  publish();
  for (const f of folders) {
    for (const day of dayFolders(window.start, until - 1)) {
      counters.dayFoldersListed++;
      for await (const page of deps.store.listFolder(`${f.folder}${day}/`, stats, signal)) {
        for (const file of page.files) {
          const name = parseLogFileName(file.key);
          if (!name) {
            // Not a CloudTrail log file (a sidecar, a stray upload): never read as events.
            counters.filesUnrecognised++;
            continue;
          }
          if (name.deliveredAt < window.start || name.deliveredAt >= until) continue;
          const read = await readOne(file.key, name.deliveredAt, window, ctx, deps, counters);
          if (read === null) continue;
          if (name.deliveredAt >= window.end) counters.filesDeliveredAfterEnd++;
          stats.pages++;
          publish();
          const page = pageFor(read, window, deps);
          ctx.progress({ pages: 1, records: page.records.length + (page.afterWindow ?? 0) });
          yield page;
        }
      }
    }
  }
  publish();
}

/**
 * The window's page of a file. A file archived as is need not hand over records whose events lie
 * at or after the window's end: they can only be outside it (and never late arrivals of it), so
 * they are counted as such without being normalized. Most records of a file read for the margin.
 */
function pageFor(read: LogFileRead, window: TimeWindow, deps: FilesPullDeps): Extract<PullItem, { kind: 'page' }> {
  if (!read.gzip) return { kind: 'page', records: read.records };
  const records: unknown[] = [];
  let after = read.dropped;
  for (const r of read.records) {
    const t = deps.eventTime(r);
    if (t !== null && t >= window.end) after++;
    else records.push(r);
  }
  return { kind: 'page', records, gzip: read.gzip, afterWindow: after };
}

async function loadFile(key: string, ctx: PullContext, deps: FilesPullDeps): Promise<LogFileRead> {
  const read = await readWithRetry(key, ctx, deps);
  if (deps.hashes && read.sha256) deps.hashes.set(key, read.sha256);
  const content = read.content ?? Buffer.alloc(0);
  const base = { compressedBytes: read.compressedBytes, gzip: null, records: [], dropped: 0 };
  try {
    const file = parseLogFile(key, content);
    const gzip = read.compressed && archivableAsIs(read.compressed, content, file) ? read.compressed : null;
    return { ...base, gzip, records: file.Records, error: null };
  } catch (e) {
    return { ...base, error: toAuditpackError(e) };
  }
}

async function readOne(
  key: string,
  deliveredAt: number,
  window: TimeWindow,
  ctx: PullContext,
  deps: FilesPullDeps,
  counters: { filesRead: number; bytesRead: number; filesFailed: number },
): Promise<LogFileRead | null> {
  try {
    const read = await deps.shared.get(key, deliveredAt, window, ctx.windows, () => loadFile(key, ctx, deps));
    counters.filesRead++;
    counters.bytesRead += read.compressedBytes;
    if (read.error) throw read.error;
    return read;
  } catch (e) {
    if (ctx.signal.aborted) throw toAuditpackError(e);
    if (e instanceof StoreMissingError) {
      counters.filesFailed++;
      ctx.stats.problems.push({ item: key, code: 'DATA_INVALID', message: `${key} was listed but is gone (deleted while reading?)` });
      return null;
    }
    const err = isAuditpackError(e) ? e : new AuditpackError('DATA_INVALID', `${key}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    if (err.fatal) throw err;
    counters.filesFailed++;
    // The window is marked failed (pack INCOMPLETE) by the problem; other files are still read.
    ctx.stats.problems.push({ item: key, code: err.code, message: err.message });
    ctx.log.warn(`cloudtrail-files: ${err.message}`);
    return null;
  }
}

/**
 * The SDK retries a GetObject that fails before its body starts; a body cut off midway (a reset
 * connection) surfaces only while streaming, so that is retried here, twice, after a short pause.
 */
async function readWithRetry(key: string, ctx: PullContext, deps: FilesPullDeps) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readGzip(deps.store, key, { keep: true, hash: deps.hashes !== null, compressed: true }, ctx.stats, ctx.signal);
    } catch (e) {
      if (attempt >= 3 || !isAuditpackError(e) || e.code !== 'HTTP_NETWORK' || ctx.signal.aborted) throw e;
      const wait = 250 * attempt;
      ctx.stats.retries++;
      ctx.stats.retryWaitMs += wait;
      await ctx.clock.sleep(wait, ctx.signal);
    }
  }
}
