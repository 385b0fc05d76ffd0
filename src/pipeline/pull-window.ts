import type { AuditEvent } from '../model/audit-event.js';
import { emptyStats, type WindowCoverage, type WindowStats } from '../model/coverage.js';
import { windowKey, type TimeWindow } from '../model/window.js';
import type { HttpClient } from '../http/types.js';
import type { PullContext, Source } from '../sources/source.js';
import type { RawWindowWriter } from '../pack/raw-archive.js';
import { toAuditpackError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { readAhead } from './read-ahead.js';
import { startWindowDeadline } from './window-deadline.js';
import type { IdSet } from './id-set.js';

/** Where kept events go, and how drops are reported. */
export interface EventSink {
  accept(event: AuditEvent): void;
}

export interface WindowRunDeps {
  http: HttpClient;
  signal: AbortSignal;
  log: Logger;
  clock: Clock;
  archive: RawWindowWriter;
  /** Event ids already kept for this source (all windows): de-duplication across windows. */
  seen: IdSet;
  /**
   * Events before this window but inside the period, not kept yet: a record delivered late (a
   * CloudTrail file past the delivery margin) may never be read by its own window. The run keeps
   * those still unseen when every window is done (see run-pipeline.ts), so nothing is lost.
   */
  strays: Map<string, AuditEvent>;
  period: { start: number; end: number };
  /** Every window of the source this run pulls, for sources that share reads between windows. */
  windows?: readonly TimeWindow[];
  sink: EventSink;
  progress(update: { pages?: number; records?: number; events?: number }): void;
}

/** Records normalized and counted between two turns of the event loop (about a millisecond's work). */
const SLICE = 40;

/** Counts the window keeps while records pass through it. */
interface WindowTally {
  kept: number;
  outside: number;
  duplicates: number;
  rereads: number;
  nonEvents: number;
  first: number;
  last: number;
  /** Ids kept by this window before the latest restart: seen again, they are re-reads, not duplicates. */
  beforeRestart: Set<string> | null;
  /** An array, not a Set: only a restart (rare) looks them up. */
  keptHere: string[];
  /**
   * Replay of a window that restarted: the archive holds both passes with no mark between them,
   * so an id this window kept before counts as a re-read again, up to as many as the original
   * run counted, and only then as a duplicate.
   */
  replayRereads: { left: number; kept: Set<string> } | null;
}

function newTally(): WindowTally {
  return { kept: 0, outside: 0, duplicates: 0, rereads: 0, nonEvents: 0, first: Infinity, last: -Infinity, beforeRestart: null, keptHere: [], replayRereads: null };
}

/**
 * Runs one window: pulls every page, archives it as received, normalizes, keeps only events in
 * [start, end), de-duplicates by id. Never throws for window failures: the failure is the
 * window's status in the ledger. Fatal errors (auth, unreachable) are rethrown to stop the run.
 */
export async function pullWindow(source: Source, window: TimeWindow, deps: WindowRunDeps): Promise<WindowCoverage> {
  const stats = emptyStats();
  const tally = newTally();
  const deadline = startWindowDeadline(source.policy.windowTimeoutMs, deps.signal);
  const ctx: PullContext = {
    http: deps.http,
    signal: deadline.signal,
    log: deps.log,
    clock: deps.clock,
    stats,
    progress: (u) => deps.progress({ pages: u.pages }),
    ...(deps.windows ? { windows: deps.windows } : {}),
  };
  let error: WindowCoverage['error'];
  const archive = archiveQueue(deps.archive);
  try {
    try {
      for await (const item of readAhead(source.pull(window, ctx))) {
        if (item.kind === 'restart') {
          deps.log.debug(`${source.name} ${windowKey(window)}: restarting the window (${item.reason})`);
          tally.beforeRestart = new Set(tally.keptHere);
          continue;
        }
        const gzip = item.gzip;
        if (gzip && deps.archive.writeGzipPage) await archive.write((w) => w.writeGzipPage!(gzip, item.records.length + (item.afterWindow ?? 0)));
        else await archive.write((w) => w.writePage(item.records));
        for (let from = 0; from < item.records.length; from += SLICE) {
          // Back to the event loop between slices: a response that arrived meanwhile is read and the
          // next request of its window sent now, not after the whole page (bench/smapi-pull.ts).
          if (from > 0) await yieldToLoop();
          processRecords(source, window, item.records.length <= SLICE ? item.records : item.records.slice(from, from + SLICE), stats, tally, deps);
        }
        if (item.afterWindow) {
          // Counted, never normalized: the source knows these events lie at or after the window's end.
          stats.recordsReceived += item.afterWindow;
          tally.outside += item.afterWindow;
          deps.progress({ records: item.afterWindow });
        }
      }
    } finally {
      await archive.drain();
    }
  } catch (e) {
    const err = deadline.expired() ? deadline.error(`${source.name} ${windowKey(window)}`, stats.pages) : toAuditpackError(e);
    if (err.fatal || deps.signal.aborted) throw err;
    error = { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
    deps.log.warn(`${source.name} ${windowKey(window)} failed: ${err.message}`);
  } finally {
    deadline.clear();
  }
  return coverageOf(source, window, stats, tally, error, false);
}

/**
 * Archives pages in arrival order without making the pull wait for each write: at most `depth`
 * pages are being compressed and appended while the next ones are fetched and normalized. A write
 * error surfaces at the next write or at drain, and fails the window.
 */
function archiveQueue(writer: RawWindowWriter, depth = 2) {
  let tail: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  let failure: unknown;
  const check = () => {
    if (failure !== undefined) throw failure;
  };
  return {
    async write(job: (writer: RawWindowWriter) => Promise<void>): Promise<void> {
      check();
      if (inFlight.length >= depth) await inFlight.shift();
      check();
      tail = tail.then(() => job(writer)).catch((e: unknown) => {
        failure ??= e;
      });
      inFlight.push(tail);
    },
    async drain(): Promise<void> {
      await tail;
      check();
    },
  };
}

/** Replays a window finished by an interrupted earlier run from its raw archive. */
export async function replayWindow(
  source: Source,
  window: TimeWindow,
  records: AsyncIterable<unknown>,
  previous: WindowCoverage,
  deps: Pick<WindowRunDeps, 'seen' | 'sink' | 'progress' | 'log' | 'strays' | 'period'>,
): Promise<WindowCoverage> {
  const stats: WindowStats = { ...emptyStats(), ...pickStats(previous), recordsReceived: 0, problems: [...previous.problems] };
  const tally = newTally();
  if (previous.rereads > 0) tally.replayRereads = { left: previous.rereads, kept: new Set() };
  let batch: unknown[] = [];
  for await (const r of records) {
    batch.push(r);
    if (batch.length >= 500) {
      processRecords(source, window, batch, stats, tally, deps);
      batch = [];
    }
  }
  processRecords(source, window, batch, stats, tally, deps);
  return coverageOf(source, window, stats, tally, previous.error, true);
}

function processRecords(
  source: Source,
  window: TimeWindow,
  records: readonly unknown[],
  stats: WindowStats,
  tally: WindowTally,
  deps: Pick<WindowRunDeps, 'seen' | 'sink' | 'progress' | 'strays' | 'period'>,
): void {
  let keptNow = 0;
  for (const raw of records) {
    stats.recordsReceived++;
    let event: AuditEvent | null;
    try {
      event = source.normalize(raw);
    } catch (e) {
      stats.problems.push({ item: `record ${stats.recordsReceived}`, code: 'DATA_INVALID', message: toAuditpackError(e).message });
      continue;
    }
    if (event === null) {
      tally.nonEvents++;
      continue;
    }
    // Half-open: an API whose end bound is inclusive returns events at `end`; they belong to the next window.
    if (!(event.time >= window.start && event.time < window.end)) {
      tally.outside++;
      // Only an event of an earlier window can have escaped its own window's read: a later window
      // reads everything delivered in its own range, which includes whatever this one saw early.
      if (event.time < window.start && event.time >= deps.period.start && !deps.seen.has(event.id)) deps.strays.set(event.id, event);
      continue;
    }
    if (deps.seen.has(event.id)) {
      if (tally.beforeRestart?.has(event.id)) {
        tally.rereads++;
        tally.beforeRestart.delete(event.id);
      } else if (tally.replayRereads && tally.replayRereads.left > 0 && tally.replayRereads.kept.delete(event.id)) {
        tally.rereads++;
        tally.replayRereads.left--;
      } else {
        tally.duplicates++;
      }
      continue;
    }
    deps.seen.add(event.id);
    tally.keptHere.push(event.id);
    tally.replayRereads?.kept.add(event.id);
    tally.kept++;
    keptNow++;
    if (event.time < tally.first) tally.first = event.time;
    if (event.time > tally.last) tally.last = event.time;
    deps.sink.accept(event);
  }
  deps.progress({ records: records.length, events: keptNow });
}

function pickStats(c: WindowCoverage): Partial<WindowStats> {
  return {
    pages: c.pages, attempts: c.attempts, retries: c.retries, throttles: c.throttles, retryWaitMs: c.retryWaitMs,
    restarts: c.restarts, extra: { ...c.extra },
  };
}

function coverageOf(
  source: Source,
  window: TimeWindow,
  stats: WindowStats,
  tally: WindowTally,
  error: WindowCoverage['error'],
  resumed: boolean,
): WindowCoverage {
  const failed = error !== undefined || stats.problems.length > 0;
  const extra = { ...stats.extra };
  if (tally.nonEvents) extra.nonEventRecords = tally.nonEvents;
  return {
    source: source.name,
    sourceType: source.type,
    window: { index: window.index, key: windowKey(window), start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
    request: source.describeRequest(window),
    pages: stats.pages,
    recordsReceived: stats.recordsReceived,
    attempts: stats.attempts,
    retries: stats.retries,
    throttles: stats.throttles,
    retryWaitMs: stats.retryWaitMs,
    restarts: stats.restarts,
    problems: stats.problems,
    eventsKept: tally.kept,
    outsideWindow: tally.outside,
    duplicates: tally.duplicates,
    rereads: tally.rereads,
    firstEventTime: Number.isFinite(tally.first) ? new Date(tally.first).toISOString() : null,
    lastEventTime: Number.isFinite(tally.last) ? new Date(tally.last).toISOString() : null,
    status: failed ? 'failed' : 'complete',
    resumed,
    ...(error ? { error } : stats.problems.length ? { error: { code: stats.problems[0].code, message: `${stats.problems.length} item(s) failed, first: ${stats.problems[0].item}: ${stats.problems[0].message}` } } : {}),
    extra,
  };
}
