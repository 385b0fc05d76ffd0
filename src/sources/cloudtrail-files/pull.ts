import { AuditpackError, isAuditpackError, toAuditpackError } from '../../errors.js';
import type { AttemptRecorder } from '../../http/types.js';
import type { TimeWindow } from '../../model/window.js';
import type { PullContext, PullItem } from '../source.js';
import type { RegionFolder } from './discover.js';
import { dayFolders, parseLogFileName } from './key-layout.js';
import { StoreMissingError, type LogStore } from './log-store.js';
import { parseRecordsFile, readGzip } from './read-gzip.js';

export interface FilesPullDeps {
  store: LogStore;
  /** The account/region folders to read (discovered once per run). */
  folders(rec: AttemptRecorder, signal: AbortSignal): Promise<RegionFolder[]>;
  /** Late-delivery margin (ms) added past the window's end. */
  lateMs: number;
  /** When digests are verified: SHA-256 of each uncompressed file read, so validation need not read it again. */
  hashes: Map<string, string> | null;
}

/**
 * Pulls one window from log files. Key dates are delivery dates (API-NOTES §2), so the window
 * reads every file delivered in [start, end + lateMs): a file delivered after the end can still
 * hold the window's records, and a file delivered inside it can hold the previous window's. The
 * pipeline keeps records by eventTime and de-duplicates, so neighbouring windows may read the same
 * file; `filesRead`/`bytesRead` in the ledger show that cost. One page per file, read one at a
 * time: memory holds one file's records, never the window's.
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
          const records = await readOne(file.key, ctx, deps, counters);
          if (records === null) continue;
          if (name.deliveredAt >= window.end) counters.filesDeliveredAfterEnd++;
          stats.pages++;
          publish();
          ctx.progress({ pages: 1, records: records.length });
          yield { kind: 'page', records };
        }
      }
    }
  }
  publish();
}

async function readOne(
  key: string,
  ctx: PullContext,
  deps: FilesPullDeps,
  counters: { filesRead: number; bytesRead: number; filesFailed: number },
): Promise<unknown[] | null> {
  try {
    const read = await readWithRetry(key, ctx, deps);
    counters.filesRead++;
    counters.bytesRead += read.compressedBytes;
    if (deps.hashes && read.sha256) deps.hashes.set(key, read.sha256);
    return parseRecordsFile(key, read.content ?? Buffer.alloc(0));
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
      return await readGzip(deps.store, key, { keep: true, hash: deps.hashes !== null }, ctx.stats, ctx.signal);
    } catch (e) {
      if (attempt >= 3 || !isAuditpackError(e) || e.code !== 'HTTP_NETWORK' || ctx.signal.aborted) throw e;
      const wait = 250 * attempt;
      ctx.stats.retries++;
      ctx.stats.retryWaitMs += wait;
      await ctx.clock.sleep(wait, ctx.signal);
    }
  }
}
