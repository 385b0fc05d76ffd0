import type { AuditEvent } from '../model/audit-event.js';
import { emptyStats, type WindowCoverage, type WindowStats } from '../model/coverage.js';
import { windowKey, type TimeWindow } from '../model/window.js';
import type { HttpClient } from '../http/types.js';
import type { PeriodFile, PullContext, Source } from '../sources/source.js';
import type { RawWindowWriter } from '../pack/raw-archive.js';
import { toAuditpackError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { idIsContent, recordFingerprint } from '../util/content-fingerprint.js';
import type { LocatePage } from '../pack/archive-gzip.js';
import { locatePageOrNull } from '../pack/locate-page.js';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { readAhead } from './read-ahead.js';
import { windowError, windowRow } from './window-outcome.js';
import { startWindowDeadline } from './window-deadline.js';
import type { IdSet } from './id-set.js';

/** Where kept events go. */
export interface EventSink {
  /** `encoded`: the event's spill bytes (src/pipeline/event-codec.ts), when the source made them. */
  accept(event: AuditEvent, encoded?: Buffer): void;
}

/**
 * An event inside the period that a window received but does not own (an API whose end bound is
 * inclusive returns boundary events to both windows). Counted as read again by the window that
 * received it; kept at the end of the source only if its own window never kept it (see settleStrays).
 */
export interface Stray {
  event: AuditEvent;
  content: number;
  /** Index of the window that received it. */
  window: number;
}

/** What every window of one source shares. */
export interface SourceRunDeps {
  /** Event ids (and contents) already kept for this source (all windows): de-duplication across windows. */
  seen: IdSet;
  period: { start: number; end: number };
  sink: EventSink;
  progress(update: { pages?: number; records?: number; events?: number }): void;
  log: Logger;
}

export interface WindowRunDeps extends SourceRunDeps {
  http: HttpClient;
  signal: AbortSignal;
  clock: Clock;
  archive: RawWindowWriter;
  /** Keyed by id and content; see Stray. */
  strays: Map<string, Stray>;
  /** Where a page given as its bytes is located (src/pack/archive-gzip.ts); by default on this thread. */
  locate?: LocatePage;
  /**
   * Called once the window sends no more requests (its last page received, or its pull ended in
   * failure), while its last pages may still be archived and counted: the next window can start.
   */
  fetched?(): void;
}

/** Records normalized and counted between two turns of the event loop (about a millisecond's work). */
const SLICE = 40;
/**
 * Pages a window fetches ahead of the one being worked on. With one, a window whose page waited
 * behind other windows' pages on the main thread sent its next request only once that page was
 * done: a burst of work stalled the window's requests (bench/smapi-pull.ts). Each page ahead is
 * held parsed, so few.
 */
const PAGES_AHEAD = 2;

/** Counts the window keeps while records pass through it. */
interface WindowTally {
  received: number;
  kept: number;
  outside: number;
  duplicates: number;
  rereads: number;
  /** Of `rereads`, those after a restart (a replay needs them apart from a neighbour's records). */
  restartRereads: number;
  refused: number;
  nonEvents: number;
  collisions: number;
  first: number;
  last: number;
  /** Ids kept by this window before the latest restart: seen again, they are re-reads, not duplicates. */
  beforeRestart: Set<string> | null;
  /**
   * An array, not a Set: only a restart (rare) looks them up. Null where there can be no restart
   * (a replay, a period pull): there it held every kept event's id until the pull ended, a
   * million strings for a million-event month.
   */
  keptHere: string[] | null;
  /**
   * Replay of a window that restarted: the archive holds both passes with no mark between them,
   * so an id this window kept before counts as a re-read again, up to as many as the original
   * run counted, and only then as a duplicate.
   */
  replayRereads: { left: number; kept: Set<string> } | null;
}

/** `restartable`: the pull may restart (a windowed pull), so the ids it keeps are remembered. */
function newTally(restartable: boolean): WindowTally {
  return {
    received: 0, kept: 0, outside: 0, duplicates: 0, rereads: 0, restartRereads: 0, refused: 0, nonEvents: 0, collisions: 0, first: Infinity, last: -Infinity,
    beforeRestart: null, keptHere: restartable ? [] : null, replayRereads: null,
  };
}

/**
 * Runs one window: pulls every page, archives it as received, normalizes, keeps only events in
 * [start, end), de-duplicates by id and content. Never throws for window failures: the failure is
 * the window's status in the ledger. Fatal errors (auth, unreachable) are rethrown to stop the run.
 */
export async function pullWindow(source: Source, window: TimeWindow, deps: WindowRunDeps): Promise<WindowCoverage> {
  const stats = emptyStats();
  const tally = newTally(true);
  const deadline = startWindowDeadline(source.policy.windowTimeoutMs, deps.signal);
  const ctx: PullContext = {
    http: deps.http,
    signal: deadline.signal,
    log: deps.log,
    clock: deps.clock,
    stats,
    progress: (u) => deps.progress({ pages: u.pages }),
  };
  let error: WindowCoverage['error'];
  const archive = archiveQueue();
  try {
    try {
      if (!source.pull) throw new Error(`${source.name} pulls whole periods (pullPeriod), not windows`);
      for await (const item of readAhead(endsWith(source.pull(window, ctx), deps.fetched), PAGES_AHEAD)) {
        if (item.kind === 'restart') {
          deps.log.debug(`${source.name} ${windowKey(window)}: restarting the window (${item.reason})`);
          tally.beforeRestart = new Set(tally.keptHere ?? []);
          continue;
        }
        const { received, records } = item;
        let contents: Float64Array | undefined;
        if (received && records.length > 0 && deps.archive.writeMember) contents = await archiveReceived(received, records, deps, archive);
        else await archive.write(() => deps.archive.writePage(records));
        for (let from = 0; from < records.length; from += SLICE) {
          // Back to the event loop between slices: a response that arrived meanwhile is read and the
          // next request of its window sent now, not after the whole page (bench/smapi-pull.ts).
          if (from > 0) await yieldToLoop();
          processRecords(source, window, records, from, Math.min(records.length, from + SLICE), contents, stats, tally, deps);
        }
      }
    } finally {
      await archive.drain();
    }
  } catch (e) {
    const what = `${source.name} ${windowKey(window)}`;
    error = windowError(e, what, deps, deadline.expired() ? deadline.error(what, stats.pages) : undefined);
  } finally {
    deadline.clear();
  }
  return coverageOf(source, window, stats, tally, error, false);
}

/** `items`, with `end` called once they are exhausted, failed or closed early. */
async function* endsWith<T>(items: AsyncIterable<T>, end: (() => void) | undefined): AsyncGenerator<T> {
  try {
    yield* items;
  } finally {
    end?.();
  }
}

/**
 * Archives pages in arrival order without making the pull wait for each write: at most `depth`
 * pages are being compressed and appended while the next ones are fetched and normalized. A write
 * error surfaces at the next write or at drain, and fails the window.
 */
function archiveQueue(depth = 2) {
  let tail: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  let failure: unknown;
  const check = () => {
    if (failure !== undefined) throw failure;
  };
  return {
    async write(job: () => Promise<void>): Promise<void> {
      check();
      if (inFlight.length >= depth) await inFlight.shift();
      check();
      tail = tail.then(job).catch((e: unknown) => {
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
  deps: SourceRunDeps & { strays: Map<string, Stray> },
): Promise<WindowCoverage> {
  const stats: WindowStats = { ...emptyStats(), ...pickStats(previous), recordsReceived: 0, problems: [...previous.problems] };
  const tally = newTally(false);
  const afterRestart = Number(previous.extra.rereadsAfterRestart ?? 0);
  if (afterRestart > 0) tally.replayRereads = { left: afterRestart, kept: new Set() };
  let batch: unknown[] = [];
  for await (const r of records) {
    batch.push(r);
    if (batch.length >= 500) {
      processRecords(source, window, batch, 0, batch.length, undefined, stats, tally, deps);
      batch = [];
    }
  }
  processRecords(source, window, batch, 0, batch.length, undefined, stats, tally, deps);
  return coverageOf(source, window, stats, tally, previous.error, true);
}

/**
 * A page given as its bytes: its records located in them (in the archive's thread when the pull has
 * one), appended to the archive in page order, and their fingerprints returned; where they cannot
 * be located, the parsed records are archived and fingerprinted (undefined) instead.
 */
async function archiveReceived(
  received: { bytes: Uint8Array; arrayKey: string }, records: readonly unknown[], deps: WindowRunDeps, archive: ReturnType<typeof archiveQueue>,
): Promise<Float64Array | undefined> {
  const located = (deps.locate ?? locateHere)(received.bytes, received.arrayKey, records.length);
  // A failure is the window's (the page's contents below), and the archive's at its next write.
  located.catch(() => undefined);
  await archive.write(async () => {
    const page = await located;
    if (page) await deps.archive.writeMember!(page.member, records.length);
    else await deps.archive.writePage(records);
  });
  return (await located)?.contents;
}

const locateHere: LocatePage = async (bytes, arrayKey, count) => locatePageOrNull(bytes, arrayKey, count);

/** Records [from, to) of a page; `contents`: their fingerprints from their bytes as received (else taken from the parsed records). */
function processRecords(
  source: Source,
  window: TimeWindow,
  records: readonly unknown[],
  from: number,
  to: number,
  contents: Float64Array | undefined,
  stats: WindowStats,
  tally: WindowTally,
  deps: SourceRunDeps & { strays: Map<string, Stray> },
): void {
  const keptBefore = tally.kept;
  for (let i = from; i < to; i++) {
    const raw = records[i];
    stats.recordsReceived++;
    tally.received++;
    let event: AuditEvent | null;
    try {
      event = source.normalize(raw);
    } catch (e) {
      tally.refused++;
      stats.problems.push({ item: `record ${stats.recordsReceived}`, code: 'DATA_INVALID', message: toAuditpackError(e).message });
      continue;
    }
    if (event === null) {
      tally.refused++;
      tally.nonEvents++;
      continue;
    }
    const content = contents === undefined ? recordFingerprint(event.id, raw) : idIsContent(event.id) ? 0 : contents[i];
    if (event.time >= deps.period.start && event.time < deps.period.end && !(event.time >= window.start && event.time < window.end)) {
      // Inside the period, outside this window (an API whose end bound is inclusive returns the
      // boundary event to both windows): its own window reads it. Held in case it never does.
      tally.rereads++;
      deps.strays.set(`${event.id}\u0000${content}`, { event, content, window: window.index });
      continue;
    }
    classify(event, content, tally, deps);
  }
  deps.progress({ records: to - from, events: tally.kept - keptBefore });
}

/**
 * Counts an event in a window's tally (the window it belongs to, or the one that received it when
 * it lies outside the period) and keeps it if it is to be kept.
 */
function classify(
  event: AuditEvent, content: number, tally: WindowTally, deps: SourceRunDeps, inPeriod = event.time >= deps.period.start && event.time < deps.period.end, encoded?: Buffer,
): void {
  if (!inPeriod) {
    tally.outside++;
    return;
  }
  const seen = deps.seen.check(event.id, content);
  if (seen === 'duplicate') {
    if (tally.beforeRestart?.has(event.id)) {
      tally.rereads++;
      tally.restartRereads++;
      tally.beforeRestart.delete(event.id);
    } else if (tally.replayRereads && tally.replayRereads.left > 0 && tally.replayRereads.kept.delete(event.id)) {
      tally.rereads++;
      tally.restartRereads++;
      tally.replayRereads.left--;
    } else {
      tally.duplicates++;
    }
    return;
  }
  if (seen === 'collision') tally.collisions++;
  tally.keptHere?.push(event.id);
  tally.replayRereads?.kept.add(event.id);
  tally.kept++;
  if (event.time < tally.first) tally.first = event.time;
  if (event.time > tally.last) tally.last = event.time;
  deps.sink.accept(event, encoded);
}

/**
 * After every window of a source: an event some window received outside itself but its own window
 * never kept (an API that returned it only to the neighbour) is kept now, counted by the window
 * that received it (read again → kept). Sorted first, so the outcome does not depend on the order
 * windows finished in.
 */
export function settleStrays(strays: Map<string, Stray>, coverage: readonly WindowCoverage[], deps: Pick<SourceRunDeps, 'seen' | 'sink'>): void {
  const list = [...strays.values()].sort((a, b) => a.event.time - b.event.time || cmp(a.event.id, b.event.id) || a.content - b.content);
  strays.clear();
  for (const s of list) {
    const seen = deps.seen.check(s.event.id, s.content);
    if (seen === 'duplicate') continue;
    const cov = coverage.find((c) => c.window.index === s.window);
    if (cov) {
      cov.rereads--;
      cov.eventsKept++;
      if (seen === 'collision') cov.idCollisions++;
      cov.extra.keptForOtherWindow = Number(cov.extra.keptForOtherWindow ?? 0) + 1;
    }
    deps.sink.accept(s.event);
  }
}

export interface PeriodRunDeps extends SourceRunDeps {
  signal: AbortSignal;
  clock: Clock;
  /** The raw archive of each window of the plan, in plan order. */
  archives: readonly RawWindowWriter[];
}

/**
 * Runs a source that pulls its whole period at once (`Source.pullPeriod`): each file is read once,
 * archived once (in the window of its delivery) and each record counted once, in the window of
 * its event time; a record outside the period, or no event, in the window of its file. A failed
 * file fails the window it was delivered in; a failed listing fails every window.
 */
export async function pullPeriod(source: Source, plan: readonly TimeWindow[], deps: PeriodRunDeps): Promise<WindowCoverage[]> {
  const stats = plan.map(() => emptyStats());
  const tallies = plan.map(() => newTally(false));
  const fed = plan.map(() => 0);
  const archived = plan.map(() => 0);
  let error: WindowCoverage['error'];
  const archive = archiveQueue();
  try {
    try {
      const files = source.pullPeriod!(plan, {
        signal: deps.signal,
        log: deps.log,
        clock: deps.clock,
        stats: (w) => stats[w],
        progress: (u) => deps.progress({ pages: u.pages }),
      });
      for await (const file of files) {
        const w = file.window;
        stats[w].pages++;
        if (file.error) {
          stats[w].problems.push({ item: file.item, code: file.error.code, message: file.error.message });
          deps.log.warn(`${source.name}: ${file.error.message}`);
          continue;
        }
        const held = file.archive;
        if (held) {
          archived[w]++;
          await archive.write(() => deps.archives[w].writeGzipPage!(held.gzip, held.records));
        }
        routeFile(file, plan, stats, tallies, fed, deps);
      }
    } finally {
      await archive.drain();
    }
  } catch (e) {
    error = windowError(e, source.name, deps);
  }
  return plan.map((window, i) => {
    stats[i].extra.filesArchived = archived[i];
    stats[i].extra.filesFed = fed[i];
    return coverageOf(source, window, stats[i], tallies[i], error, false);
  });
}

/** Counts a file's records in the windows of their events (see pullPeriod). */
function routeFile(file: PeriodFile, plan: readonly TimeWindow[], stats: WindowStats[], tallies: WindowTally[], fed: number[], deps: SourceRunDeps): void {
  const own = tallies[file.window];
  const feeds = new Set<number>();
  const keptBefore = tallies.reduce((n, t) => n + t.kept, 0);
  for (const { event, content, encoded } of file.events) {
    const i = windowOf(plan, event.time);
    const w = i < 0 ? file.window : i;
    const t = tallies[w];
    stats[w].recordsReceived++;
    t.received++;
    if (i >= 0) feeds.add(i);
    // Outside every window is outside the period (the plan covers it; a test may plan a few days of it).
    classify(event, content, t, deps, i >= 0, encoded);
  }
  const refused = file.notEvents + file.invalid.length;
  stats[file.window].recordsReceived += refused;
  own.received += refused;
  own.refused += refused;
  own.nonEvents += file.notEvents;
  for (const p of file.invalid) stats[file.window].problems.push({ item: p.item, code: 'DATA_INVALID', message: p.message });
  for (const i of feeds) fed[i]++;
  deps.progress({ records: file.records, events: tallies.reduce((n, t) => n + t.kept, 0) - keptBefore });
}

/** Index of the window holding `time`, -1 outside them all (windows are contiguous and sorted). */
function windowOf(plan: readonly TimeWindow[], time: number): number {
  let lo = 0;
  let hi = plan.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (time < plan[mid].start) hi = mid - 1;
    else if (time >= plan[mid].end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * Replays a period pull from the raw archives of an interrupted earlier run that completed it:
 * each archive's records are routed as the pull routed them (records outside the period, no events,
 * in the archive's window). The ledger's file counters come from the earlier run.
 */
export async function replayPeriod(
  source: Source,
  plan: readonly TimeWindow[],
  archives: readonly AsyncIterable<unknown>[],
  previous: readonly WindowCoverage[],
  deps: SourceRunDeps,
): Promise<WindowCoverage[]> {
  const stats = plan.map((_, i) => ({ ...emptyStats(), ...pickStats(previous[i]), recordsReceived: 0, problems: [...previous[i].problems] }));
  const tallies = plan.map(() => newTally(false));
  const fed = plan.map(() => 0);
  for (let w = 0; w < plan.length; w++) {
    let events: { event: AuditEvent; content: number }[] = [];
    let file: PeriodFile = { kind: 'file', item: '', window: w, archive: null, records: 0, events, notEvents: 0, invalid: [], bytes: 0 };
    const flush = () => {
      routeFile(file, plan, stats, tallies, fed, deps);
      events = [];
      file = { ...file, records: 0, events, notEvents: 0, invalid: [] };
    };
    for await (const raw of archives[w]) {
      file.records++;
      try {
        const event = source.normalize(raw);
        if (event === null) file.notEvents++;
        else events.push({ event, content: recordFingerprint(event.id, raw) });
      } catch (e) {
        file.invalid.push({ item: `${plan[w] ? windowKey(plan[w]) : w} record ${file.records}`, message: toAuditpackError(e).message });
      }
      if (file.records >= 500) flush();
    }
    flush();
  }
  return plan.map((window, i) => coverageOf(source, window, stats[i], tallies[i], previous[i].error, true));
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
  const extra = { ...stats.extra };
  if (tally.nonEvents) extra.nonEventRecords = tally.nonEvents;
  if (tally.restartRereads) extra.rereadsAfterRestart = tally.restartRereads;
  const counts = {
    recordsReceived: stats.recordsReceived,
    eventsKept: tally.kept,
    outsidePeriod: tally.outside,
    duplicates: tally.duplicates,
    rereads: tally.rereads,
    refused: tally.refused,
    idCollisions: tally.collisions,
    first: tally.first,
    last: tally.last,
  };
  return windowRow(source, window, stats, counts, { error, resumed, extra });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
