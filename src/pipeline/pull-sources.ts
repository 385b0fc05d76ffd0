import { setMaxListeners } from 'node:events';
import type { AuditEvent } from '../model/audit-event.js';
import type { WindowCoverage } from '../model/coverage.js';
import { join } from 'node:path';
import { windowKey, type TimeWindow } from '../model/window.js';
import type { HttpClient } from '../http/types.js';
import { isAggregating, type AggregatingSource, type AnySource, type PushdownRequest, type Source } from '../sources/source.js';
import { readRawWindow } from '../pack/raw-archive.js';
import { createResumeState, describeResume, type ResumeState } from '../pack/resume-state.js';
import { toAuditpackError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { pullWindow, replayWindow } from './pull-window.js';
import { queryWindow, type AggregateSink } from './query-window.js';
import { createIdSet, type IdSet } from './id-set.js';
import { mapPool } from './map-pool.js';

export interface EventSink {
  accept(e: AuditEvent): void;
}

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
 * source and is thrown once all have settled. Returns the windows' ledger rows in no set order.
 */
export async function pullSources(input: PullSourcesInput, sink: EventSink, aggregateSink: AggregateSink): Promise<WindowCoverage[]> {
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
  return perSource.flat();
}

/**
 * One source's windows: a window finished by an earlier run, whose checkpoint and raw archive are
 * whole, is replayed from its raw archive; a damaged one is said so and pulled again.
 */
async function pullSource(input: PullSourcesInput, state: ResumeState, source: Source, sink: EventSink, signal: AbortSignal, onFatal: (e: unknown) => void): Promise<WindowCoverage[]> {
  const plan = input.plans.get(source.name) ?? [];
  const seen = createIdSet();
  const strays = new Map<string, AuditEvent>();
  const bounds = { start: input.period.start, end: input.period.end };
  const http = input.httpFor(source);
  const resume = await state.check(source.name, plan);
  const resumeLine = describeResume(source.name, plan.length, resume);
  if (resumeLine) input.log.warn(resumeLine);
  const pulled = plan.filter((w) => !resume.reuse.has(w.index));
  const results = await mapPool(plan, source.policy.concurrency, async (window) => {
    if (signal.aborted) return null;
    input.progress.windowStarted(source.name, window);
    try {
      let cov: WindowCoverage;
      const previous = resume.reuse.get(window.index);
      if (previous) {
        cov = await replayWindow(source, window, readRawWindow(state.rawPath(source.name, window)), previous, { seen, sink, strays, period: bounds, progress: input.progress.update, log: input.log });
      } else {
        const archive = await state.openRaw(source.name, window);
        cov = await pullWindow(source, window, { http, signal, log: input.log, clock: input.clock, archive, seen, strays, period: bounds, windows: pulled, sink, progress: input.progress.update });
        await state.finish(source.name, window, archive, cov);
      }
      input.progress.windowDone(cov);
      return cov;
    } catch (e) {
      onFatal(e);
      return null;
    }
  });
  const done = results.filter((r): r is WindowCoverage => r !== null);
  keepLateArrivals(strays, seen, plan, done, sink);
  return done;
}

/**
 * An aggregating source's windows: each runs its queries where the data lives (or is replayed from
 * the results an interrupted run saved) and feeds the aggregate sink.
 */
async function querySource(input: PullSourcesInput, source: AggregatingSource, sink: AggregateSink, signal: AbortSignal, onFatal: (e: unknown) => void): Promise<WindowCoverage[]> {
  const plan = input.plans.get(source.name) ?? [];
  const pushdown = input.pushdown ?? { timeZone: input.period.timeZone ?? 'UTC', rules: [], directoryIds: null, businessHours: null };
  const results = await mapPool(plan, source.policy.concurrency, async (window) => {
    if (signal.aborted) return null;
    input.progress.windowStarted(source.name, window);
    try {
      const cov = await queryWindow(source, window, {
        signal, log: input.log, clock: input.clock, period: { start: input.period.start, end: input.period.end }, plan, pushdown, sink,
        evidencePath: join(input.packDir, 'raw', source.name, `${windowKey(window)}.json`),
        statePath: join(input.stateDir, 'windows', source.name, `${windowKey(window)}.aggregate.json`),
        progress: input.progress.update,
      });
      input.progress.windowDone(cov);
      return cov;
    } catch (e) {
      onFatal(e);
      return null;
    }
  });
  return results.filter((r): r is WindowCoverage => r !== null);
}

/**
 * Events that only ever arrived in a later window's read (outside that window) and were never
 * kept by their own: kept now, in their own window's ledger row as late arrivals. Done after all
 * of the source's windows, so the result does not depend on the order windows finished in.
 */
function keepLateArrivals(strays: Map<string, AuditEvent>, seen: IdSet, plan: TimeWindow[], coverage: WindowCoverage[], sink: EventSink): void {
  const late = [...strays.values()].filter((e) => !seen.has(e.id)).sort((a, b) => a.time - b.time || cmp(a.id, b.id));
  for (const e of late) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    const w = plan.find((p) => e.time >= p.start && e.time < p.end);
    const cov = w && coverage.find((c) => c.window.index === w.index);
    if (cov) {
      cov.eventsKept++;
      cov.extra.lateArrivals = Number(cov.extra.lateArrivals ?? 0) + 1;
      const iso = new Date(e.time).toISOString();
      if (!cov.firstEventTime || iso < cov.firstEventTime) cov.firstEventTime = iso;
      if (!cov.lastEventTime || iso > cov.lastEventTime) cov.lastEventTime = iso;
    }
    sink.accept(e);
  }
  strays.clear();
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
