import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditEvent } from '../model/audit-event.js';
import { emptyStats, type WindowCoverage } from '../model/coverage.js';
import type { EventGroup } from '../model/event-group.js';
import { windowKey, type TimeWindow } from '../model/window.js';
import type { AggregatingSource, PushdownRequest, WindowAggregate } from '../sources/source.js';
import { windowError, windowRow } from './window-outcome.js';
import { writeFileAtomic } from '../pack/atomic-file.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** Where an aggregating source's results go: the same counters and rules the event path feeds. */
export interface AggregateSink {
  acceptGroup(group: EventGroup): void;
  /** A full event the rules or samples need (an exception candidate, a sample population member): evaluated and sampled, never counted again. */
  acceptCandidate(event: AuditEvent): void;
  /** A kept event the source's groups do not count (see WindowAggregate.kept): counted, evaluated and sampled as the event path does. */
  acceptEvent(event: AuditEvent): void;
  activeHour(source: string, sourceType: string, hour: number): void;
  notEvaluated(source: string, rules: readonly { ruleId: string; reason: string }[]): void;
}

export interface QueryWindowDeps {
  signal: AbortSignal;
  log: Logger;
  clock: Clock;
  period: { start: number; end: number };
  plan: readonly TimeWindow[];
  pushdown: PushdownRequest;
  /** This run's identity, kept when it resumes (runIdentity in src/pack/resume-state.ts). */
  runId: string;
  sink: AggregateSink;
  /** raw/<source>/<window>.json: the window's queries and what they read, for the auditor. */
  evidencePath: string;
  /** .state/windows/<source>/<window>.aggregate.json: the results, so a resumed run need not query again. */
  statePath: string;
  progress(update: { pages?: number; records?: number; events?: number }): void;
  /** The source's ids kept with more than one content (all windows), with the number of contents. */
  idCollisions: Map<string, number>;
}

/** Results an interrupted run saved for this window; null when there are none or they are unreadable (then it is queried again). */
async function readSaved(deps: QueryWindowDeps): Promise<{ result: WindowAggregate; stats: ReturnType<typeof emptyStats> } | null> {
  if (!existsSync(deps.statePath) || !existsSync(deps.evidencePath)) return null;
  try {
    const saved = JSON.parse(await readFile(deps.statePath, 'utf8')) as { result?: WindowAggregate; stats?: ReturnType<typeof emptyStats> };
    if (!saved.result || !saved.stats || !Array.isArray(saved.result.groups)) return null;
    return { result: saved.result, stats: saved.stats };
  } catch {
    deps.log.warn(`${deps.statePath}: saved window results are unreadable; the window is queried again`);
    return null;
  }
}

/**
 * Runs one window of an aggregating source, or replays it from the state an interrupted run left:
 * the results feed the sink, the evidence goes to raw/, and the window's ledger row says what was
 * read and kept exactly as an event source's row does. A non-fatal error fails the window only.
 */
export async function queryWindow(source: AggregatingSource, window: TimeWindow, deps: QueryWindowDeps): Promise<WindowCoverage> {
  const stats = emptyStats();
  let result: WindowAggregate | null = null;
  let resumed = false;
  let error: WindowCoverage['error'];
  const saved = await readSaved(deps);
  if (saved) {
    result = saved.result;
    Object.assign(stats, saved.stats);
    source.restoreWindow?.(window, result);
    resumed = true;
  } else {
    try {
      result = await source.queryWindow(window, {
        signal: deps.signal, log: deps.log, clock: deps.clock, stats, period: deps.period, plan: deps.plan, pushdown: deps.pushdown, runId: deps.runId,
        progress: (u) => deps.progress(u),
      });
      await mkdir(dirname(deps.evidencePath), { recursive: true });
      await writeFileAtomic(deps.evidencePath, JSON.stringify(result.evidence, null, 2) + '\n');
      if (stats.problems.length === 0) {
        await mkdir(dirname(deps.statePath), { recursive: true });
        await writeFileAtomic(deps.statePath, JSON.stringify({ result, stats }));
      }
    } catch (e) {
      error = windowError(e, `${source.name} ${windowKey(window)}`, deps);
    }
  }

  let kept = 0;
  let first = Infinity;
  let last = -Infinity;
  if (result && !error) {
    for (const g of result.groups) {
      deps.sink.acceptGroup(g);
      kept += g.events;
      first = Math.min(first, g.firstTime);
      last = Math.max(last, g.lastTime);
    }
    for (const e of result.candidates) deps.sink.acceptCandidate(e);
    for (const e of result.kept ?? []) {
      deps.sink.acceptEvent(e);
      kept++;
      first = Math.min(first, e.time);
      last = Math.max(last, e.time);
    }
    for (const c of result.ledger.collisionIds ?? []) deps.idCollisions.set(c.eventId, Math.max(c.records, deps.idCollisions.get(c.eventId) ?? 0));
    for (const h of result.activeHours) deps.sink.activeHour(source.name, source.type, h);
    deps.sink.notEvaluated(source.name, result.notEvaluated);
    deps.progress({ events: kept });
  }
  const ledger = result?.ledger;
  return windowRow(
    source,
    window,
    stats,
    {
      recordsReceived: ledger?.recordsReceived ?? 0,
      eventsKept: kept,
      outsidePeriod: ledger?.outsidePeriod ?? 0,
      duplicates: ledger?.duplicates ?? 0,
      // Each record is counted by one window (the source attributes records as cloudtrail-files does): none is read again.
      rereads: 0,
      refused: 0,
      idCollisions: ledger?.idCollisions ?? 0,
      first,
      last,
    },
    { error, resumed, extra: { ...stats.extra } },
  );
}
