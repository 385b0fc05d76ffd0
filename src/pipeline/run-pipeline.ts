import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEvent } from '../model/audit-event.js';
import type { CoverageLedger, SourceLedger, WindowCoverage } from '../model/coverage.js';
import { SEVERITY_ORDER, type ExceptionRow, type ExceptionTrend, type Severity } from '../model/exception.js';
import type { ExceptionSubjectCount, PeriodInfo, RowStream, SampleInfo } from '../model/report-model.js';
import { windowKey, type TimeWindow } from '../model/window.js';
import type { HttpClient } from '../http/types.js';
import type { Source } from '../sources/source.js';
import type { RequesterDirectory } from '../config/requester-directory.js';
import { createAggregator, type AggregateResult } from '../aggregate/aggregator.js';
import { createDayIndex } from '../aggregate/day-index.js';
import { createRawWindowWriter, readRawWindow } from '../pack/raw-archive.js';
import { toAuditpackError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { pullWindow, replayWindow } from './pull-window.js';
import { createSpillStore } from './spill-store.js';
import { createIdSet, type IdSet } from './id-set.js';
import { mapPool } from './map-pool.js';
import { decodeEvent, encodeEvent, type EventRow } from './event-codec.js';
import { createExceptionCodec, type ExceptionCells } from './exception-codec.js';
import { createSubjectCounter } from '../rules/month-over-month.js';

/** The parts of the rule engine the pipeline needs (src/rules/engine.ts implements it). */
export interface EventRules {
  evaluate(event: AuditEvent): { rows: ExceptionRow[]; matchedRuleIds: string[] };
  finish(coverage: CoverageLedger): ExceptionRow[];
}

export interface EventSampler {
  onEvent(event: AuditEvent, matchedRuleIds: readonly string[]): void;
  finish(): SampleInfo[];
}

export interface PreviousComparison {
  trendOf(row: ExceptionRow): ExceptionTrend;
  resolved: ExceptionSubjectCount[];
}

export interface ProgressReporter {
  windowStarted(source: string, window: TimeWindow): void;
  windowDone(coverage: WindowCoverage): void;
  update(u: { pages?: number; records?: number; events?: number }): void;
}

export interface PipelineInput {
  sources: Source[];
  period: PeriodInfo;
  plans: ReadonlyMap<string, TimeWindow[]>;
  /** raw/<source>/<window>.ndjson.gz are written below this (the pack's staging folder). */
  packDir: string;
  /** Resume state and spill files (removed by the caller once the pack is final). */
  stateDir: string;
  httpFor(source: Source): HttpClient;
  directory: RequesterDirectory | null;
  rules: EventRules;
  sampler: EventSampler | null;
  /** Built from the previous pack, when month-over-month comparison was asked for. */
  compareWith?: (subjects: ExceptionSubjectCount[]) => PreviousComparison;
  /** The controls the template's rules map to: each is counted, with 0 when nothing matched, so a report can say so. */
  controls?: readonly string[];
  /** Keep only failed events in the events population (every event is still counted). */
  failuresOnly?: boolean;
  log: Logger;
  clock: Clock;
  signal: AbortSignal;
  progress: ProgressReporter;
}

export interface PipelineResult {
  aggregate: AggregateResult;
  coverage: CoverageLedger;
  exceptions: RowStream<ExceptionRow>;
  events: RowStream<AuditEvent>;
  exceptionCounts: { bySeverity: Record<Severity, number>; byControl: Record<string, number>; byRule: Record<string, number> };
  exceptionSubjects: ExceptionSubjectCount[];
  samples: SampleInfo[];
}

const DAY = 86_400_000;

export async function runPipeline(input: PipelineInput): Promise<PipelineResult> {
  const days = createDayIndex(input.period.timeZone, input.period.start, input.period.end);
  const aggregator = createAggregator(days);
  await mkdir(join(input.stateDir, 'spill'), { recursive: true });
  const events = createSpillStore<AuditEvent, EventRow>({
    dir: join(input.stateDir, 'spill'),
    name: 'events',
    encode: encodeEvent,
    decode: decodeEvent,
    bucketOf: (e) => Math.floor(e.time / DAY),
    // A day bucket per event day (a few dozen): larger appends, fewer file opens.
    flushBytes: 256 * 1024,
    compare: (a, b) => a.time - b.time || cmp(a.source, b.source) || cmp(a.id, b.id),
  });
  const exceptionCodec = createExceptionCodec();
  const exceptions = createSpillStore<ExceptionRow, ExceptionCells>({
    dir: join(input.stateDir, 'spill'),
    name: 'exceptions',
    encode: exceptionCodec.encode,
    decode: exceptionCodec.decode,
    bucketOf: (r) => SEVERITY_ORDER.indexOf(r.severity) * 1_000_000 + Math.max(0, Math.floor(r.time / DAY)),
    compare: (a, b) => a.time - b.time || cmp(a.ruleId, b.ruleId) || cmp(a.eventId ?? '', b.eventId ?? '') || cmp(a.subject, b.subject),
  });
  const subjects = createSubjectCounter();
  const addException = (row: ExceptionRow) => {
    exceptions.add(row);
    subjects.add(row);
  };

  const sink = {
    accept(e: AuditEvent) {
      const entry = input.directory?.get(e.requester.id);
      if (entry) e.requester = { ...e.requester, name: entry.name || e.requester.name, email: entry.email || e.requester.email };
      aggregator.add(e);
      const { rows, matchedRuleIds } = input.rules.evaluate(e);
      for (const r of rows) addException(r);
      input.sampler?.onEvent(e, matchedRuleIds);
      if (!input.failuresOnly || e.outcome === 'failure') events.add(e);
    },
  };

  // One fatal error (access refused, unreachable) stops every window of every source.
  const stop = new AbortController();
  const signal = AbortSignal.any([input.signal, stop.signal]);
  // Every in-flight request and backoff listens on this one signal: dozens, by design.
  setMaxListeners(0, signal);
  let fatal: unknown = null;

  const windowsOut: WindowCoverage[] = [];
  await Promise.all(
    input.sources.map(async (source) => {
      const plan = input.plans.get(source.name) ?? [];
      const seen = createIdSet();
      const strays = new Map<string, AuditEvent>();
      const bounds = { start: input.period.start, end: input.period.end };
      const http = input.httpFor(source);
      const rawPath = (w: TimeWindow) => join(input.packDir, 'raw', source.name, `${windowKey(w)}.ndjson.gz`);
      const donePath = (w: TimeWindow) => join(input.stateDir, 'windows', source.name, `${windowKey(w)}.json`);
      const finished = (w: TimeWindow) => existsSync(donePath(w)) && existsSync(rawPath(w));
      const pulled = plan.filter((w) => !finished(w));
      const results = await mapPool(plan, source.policy.concurrency, async (window) => {
        if (signal.aborted) return null;
        input.progress.windowStarted(source.name, window);
        try {
          let cov: WindowCoverage;
          if (!pulled.includes(window)) {
            const previous = JSON.parse(await readFile(donePath(window), 'utf8')) as WindowCoverage;
            cov = await replayWindow(source, window, readRawWindow(rawPath(window)), previous, { seen, sink, strays, period: bounds, progress: input.progress.update, log: input.log });
          } else {
            const archive = await createRawWindowWriter(rawPath(window));
            cov = await pullWindow(source, window, { http, signal, log: input.log, clock: input.clock, archive, seen, strays, period: bounds, windows: pulled, sink, progress: input.progress.update });
            if (cov.status === 'complete') {
              await mkdir(join(input.stateDir, 'windows', source.name), { recursive: true });
              await writeFile(donePath(window), JSON.stringify(cov));
            }
          }
          input.progress.windowDone(cov);
          return cov;
        } catch (e) {
          fatal ??= e;
          stop.abort(e);
          return null;
        }
      });
      const done = results.filter((r): r is WindowCoverage => r !== null);
      keepLateArrivals(strays, seen, plan, done, sink);
      windowsOut.push(...done);
    }),
  );
  if (fatal) throw toAuditpackError(fatal);
  if (input.signal.aborted) throw toAuditpackError(input.signal.reason ?? new Error('interrupted'));

  const sourceLedgers: SourceLedger[] = [];
  for (const source of input.sources) {
    if (source.finish) {
      sourceLedgers.push(...(await source.finish({ signal, log: input.log, clock: input.clock, period: { start: input.period.start, end: input.period.end } })));
    }
  }
  windowsOut.sort((a, b) => cmp(a.source, b.source) || a.window.index - b.window.index);
  const coverage: CoverageLedger = {
    complete: windowsOut.every((w) => w.status === 'complete') && sourceLedgers.every((s) => s.status === 'complete'),
    windows: windowsOut,
    sources: sourceLedgers,
  };
  for (const r of input.rules.finish(coverage)) addException(r);

  const exceptionSubjects = subjects.list();
  const comparison = input.compareWith?.(exceptionSubjects);
  for (const gone of comparison?.resolved ?? []) {
    exceptions.add({
      ruleId: gone.ruleId, title: gone.title, severity: gone.severity, control: gone.control,
      reason: `Resolved: seen ${gone.count} time(s) in the previous pack, not in this period.`,
      time: input.period.start, source: '', eventId: null, operation: '', responseCode: '',
      requesterId: '', requesterName: null, requesterEmail: null, resource: null, client: null,
      subject: gone.subject, trend: 'resolved',
    });
  }

  const dropped: Record<string, { sourceType: string; duplicates: number; outsideWindow: number }> = {};
  for (const w of windowsOut) {
    const d = (dropped[w.source] ??= { sourceType: w.sourceType, duplicates: 0, outsideWindow: 0 });
    d.duplicates += w.duplicates;
    d.outsideWindow += w.outsideWindow;
  }
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  const byControl: Record<string, number> = Object.fromEntries((input.controls ?? []).map((c) => [c, 0]));
  const byRule: Record<string, number> = {};
  for (const s of exceptionSubjects) {
    bySeverity[s.severity] += s.count;
    byControl[s.control] = (byControl[s.control] ?? 0) + s.count;
    byRule[s.ruleId] = (byRule[s.ruleId] ?? 0) + s.count;
  }

  const sealed = exceptions.seal();
  return {
    aggregate: aggregator.result({ directoryHas: input.directory ? (id) => input.directory!.has(id) : undefined, dropped }),
    coverage,
    exceptions: comparison
      ? {
          count: sealed.count,
          async *open() {
            for await (const row of sealed.open()) yield row.trend ? row : { ...row, trend: comparison.trendOf(row) };
          },
        }
      : sealed,
    events: events.seal(),
    exceptionCounts: { bySeverity, byControl: sortKeys(byControl), byRule: sortKeys(byRule) },
    exceptionSubjects,
    samples: input.sampler?.finish() ?? [],
  };
}

/**
 * Events that only ever arrived in a later window's read (outside that window) and were never
 * kept by their own: kept now, in their own window's ledger row as late arrivals. Done after all
 * of the source's windows, so the result does not depend on the order windows finished in.
 */
function keepLateArrivals(strays: Map<string, AuditEvent>, seen: IdSet, plan: TimeWindow[], coverage: WindowCoverage[], sink: { accept(e: AuditEvent): void }): void {
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

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => cmp(a, b)));
}
