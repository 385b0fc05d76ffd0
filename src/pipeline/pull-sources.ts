import { setMaxListeners } from 'node:events';
import type { IdCollision, WindowCoverage } from '../model/coverage.js';
import { join } from 'node:path';
import { windowKey, type TimeWindow } from '../model/window.js';
import type { HttpClient } from '../http/types.js';
import { isAggregating, type AggregatingSource, type AnySource, type PushdownRequest, type Source } from '../sources/source.js';
import { readRawWindow, type CommittableRawWriter } from '../pack/raw-archive.js';
import { createArchiveGzipThread } from '../pack/archive-gzip.js';
import { createResumeState, describeResume, runIdentity, type ResumeState } from '../pack/resume-state.js';
import { toAuditpackError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { pullPeriod, pullWindow, replayPeriod, replayWindow, settleStrays, type EventSink, type SourceRunDeps, type Stray } from './pull-window.js';
import { queryWindow, type AggregateSink } from './query-window.js';
import { createIdSet } from './id-set.js';
import { mapPool } from './map-pool.js';

export type { EventSink } from './pull-window.js';

export interface PullProgress {
  windowStarted(source: string, window: TimeWindow): void;
  windowDone(coverage: WindowCoverage): void;
  update(u: { pages?: number; records?: number; events?: number }): void;
}

export interface PullSourcesInput {
  sources: AnySource[];
  plans: ReadonlyMap<string, TimeWindow[]>;
  packDir: string;
  stateDir: string;
  httpFor(source: AnySource): HttpClient;
  /** What aggregating sources must do where the data lives. */
  pushdown?: PushdownRequest;
  /** The report's time zone (the default push-down's). */
  period: { start: number; end: number; timeZone?: string };
  log: Logger;
  clock: Clock;
  signal: AbortSignal;
  progress: PullProgress;
}

/**
 * Pulls (or, on resume, replays) every planned window of every source into `sink`, each source
 * with its own pool. One fatal error (access refused, unreachable) stops every window of every
 * source and is thrown once all have settled. Returns the windows' ledger rows in no set order,
 * and the ids each source kept with more than one content.
 */
export async function pullSources(input: PullSourcesInput, sink: EventSink, aggregateSink: AggregateSink): Promise<SourceDone> {
  const stop = new AbortController();
  const signal = AbortSignal.any([input.signal, stop.signal]);
  // Every in-flight request and backoff listens on this one signal: dozens, by design.
  setMaxListeners(0, signal);
  let fatal: unknown = null;
  const onFatal = (e: unknown) => {
    fatal ??= e;
    stop.abort(e);
  };

  const state = createResumeState(input.packDir, input.stateDir);
  const perSource = await Promise.all(
    input.sources.map((source) =>
      isAggregating(source) ? querySource(input, source, aggregateSink, signal, onFatal) : pullSource(input, state, source, sink, signal, onFatal),
    ),
  );
  if (fatal) throw toAuditpackError(fatal);
  if (input.signal.aborted) throw toAuditpackError(input.signal.reason ?? new Error('interrupted'));
  return { windows: perSource.flatMap((s) => s.windows), idCollisions: perSource.flatMap((s) => s.idCollisions) };
}

/** A source's windows pulled or replayed; with what its de-duplication found. */
interface SourceDone {
  windows: WindowCoverage[];
  idCollisions: IdCollision[];
}

/**
 * One source, pulled window by window (the APIs) or for the whole period at once (a source whose
 * unit is a file: `Source.pullPeriod`).
 */
async function pullSource(input: PullSourcesInput, state: ResumeState, source: Source, sink: EventSink, signal: AbortSignal, onFatal: (e: unknown) => void): Promise<SourceDone> {
  const plan = input.plans.get(source.name) ?? [];
  const shared: SourceRunDeps = { seen: createIdSet(), period: { start: input.period.start, end: input.period.end }, sink, progress: input.progress.update, log: input.log };
  const run = source.pullPeriod ? periodSource : windowSource;
  const windows = await run(input, state, source, plan, shared, signal, onFatal);
  const idCollisions = [...shared.seen.collisions()].map(([eventId, records]) => ({ source: source.name, eventId, records }));
  return { windows, idCollisions };
}

/**
 * Window by window, up to `policy.concurrency` at a time: a window finished by an earlier run,
 * whose checkpoint and raw archive are whole, is replayed from its raw archive; a damaged one is
 * said so and pulled again.
 */
async function windowSource(
  input: PullSourcesInput, state: ResumeState, source: Source, plan: TimeWindow[], shared: SourceRunDeps, signal: AbortSignal, onFatal: (e: unknown) => void,
): Promise<WindowCoverage[]> {
  const strays = new Map<string, Stray>();
  const http = input.httpFor(source);
  const resume = await state.check(source.name, plan);
  const resumeLine = describeResume(source.name, plan.length, resume);
  if (resumeLine) input.log.warn(resumeLine);
  // A window holds its slot while it sends requests: once its last page is in, the next window
  // starts while it archives and counts its last pages and commits its archive (an fsync), so
  // `concurrency` request chains keep going across window changes (bench/smapi-pull.ts).
  const gzip = createArchiveGzipThread();
  const results = await mapPool(plan, source.policy.concurrency, async (window, _, release) => {
    if (signal.aborted) return null;
    input.progress.windowStarted(source.name, window);
    try {
      let cov: WindowCoverage;
      const previous = resume.reuse.get(window.index);
      if (previous) {
        cov = await replayWindow(source, window, readRawWindow(state.rawPath(source.name, window)), previous, { ...shared, strays });
      } else {
        // Held open until committed: `concurrency` windows sending requests, and those finishing.
        const archive = await state.openRaw(source.name, window, { holdOpen: true });
        try {
          cov = await pullWindow(source, window, { ...shared, http, signal, clock: input.clock, archive, strays, fetched: release, locate: gzip.locate });
          await state.finish(source.name, window, archive, cov);
        } finally {
          await archive.close();
        }
      }
      input.progress.windowDone(cov);
      return cov;
    } catch (e) {
      onFatal(e);
      return null;
    }
  }).finally(() => gzip.close());
  const done = results.filter((r): r is WindowCoverage => r !== null);
  settleStrays(strays, done, shared);
  return done;
}

/**
 * The whole period at once. Resumed only as a whole: a file can feed any window, so the windows
 * are replayed from the raw archives when every one of them was finished by an earlier run, and
 * pulled again otherwise; checkpoints are written only when every window is complete.
 */
async function periodSource(
  input: PullSourcesInput, state: ResumeState, source: Source, plan: TimeWindow[], shared: SourceRunDeps, signal: AbortSignal, onFatal: (e: unknown) => void,
): Promise<WindowCoverage[]> {
  if (plan.length === 0 || signal.aborted) return [];
  const resume = await state.check(source.name, plan);
  const whole = resume.reuse.size === plan.length;
  if (!whole && (resume.reuse.size > 0 || resume.damaged.length > 0)) {
    input.log.warn(`resuming ${source.name}: pulled again as a whole (${resume.reuse.size} of ${plan.length} windows were finished; its files can feed any window)`);
  }
  for (const w of plan) input.progress.windowStarted(source.name, w);
  try {
    let covs: WindowCoverage[];
    if (whole) {
      input.log.warn(`resuming ${source.name}: ${plan.length === 1 ? 'its one window' : `all ${plan.length} windows`} replayed from the interrupted run`);
      covs = await replayPeriod(source, plan, plan.map((w) => readRawWindow(state.rawPath(source.name, w))), plan.map((w) => resume.reuse.get(w.index)!), shared);
    } else {
      const archives: CommittableRawWriter[] = [];
      for (const w of plan) archives.push(await state.openRaw(source.name, w));
      covs = await pullPeriod(source, plan, { ...shared, signal, clock: input.clock, archives });
      const complete = covs.every((c) => c.status === 'complete');
      for (const [i, w] of plan.entries()) {
        if (complete) await state.finish(source.name, w, archives[i], covs[i]);
        else await archives[i].commit();
      }
    }
    for (const c of covs) input.progress.windowDone(c);
    return covs;
  } catch (e) {
    onFatal(e);
    return [];
  }
}
/**
 * An aggregating source's windows: each runs its queries where the data lives (or is replayed from
 * the results an interrupted run saved) and feeds the aggregate sink.
 */
async function querySource(input: PullSourcesInput, source: AggregatingSource, sink: AggregateSink, signal: AbortSignal, onFatal: (e: unknown) => void): Promise<SourceDone> {
  const plan = input.plans.get(source.name) ?? [];
  const pushdown = input.pushdown ?? { timeZone: input.period.timeZone ?? 'UTC', rules: [], directoryIds: null, businessHours: null };
  const idCollisions = new Map<string, number>();
  const runId = await runIdentity(input.stateDir);
  const results = await mapPool(plan, source.policy.concurrency, async (window) => {
    if (signal.aborted) return null;
    input.progress.windowStarted(source.name, window);
    try {
      const cov = await queryWindow(source, window, {
        signal, log: input.log, clock: input.clock, period: { start: input.period.start, end: input.period.end }, plan, pushdown, sink, runId,
        evidencePath: join(input.packDir, 'raw', source.name, `${windowKey(window)}.json`),
        statePath: join(input.stateDir, 'windows', source.name, `${windowKey(window)}.aggregate.json`),
        progress: input.progress.update,
        idCollisions,
      });
      input.progress.windowDone(cov);
      return cov;
    } catch (e) {
      onFatal(e);
      return null;
    }
  });
  return {
    windows: results.filter((r): r is WindowCoverage => r !== null),
    idCollisions: [...idCollisions].map(([eventId, records]) => ({ source: source.name, eventId, records })),
  };
}
