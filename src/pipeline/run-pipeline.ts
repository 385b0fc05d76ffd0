import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEvent } from '../model/audit-event.js';
import type { CoverageLedger, IdCollision, SourceLedger, WindowCoverage } from '../model/coverage.js';
import { compareExceptionRows, type ExceptionRow, type ExceptionTrend, type Severity } from '../model/exception.js';
import type { ExceptionSubjectCount, PeriodInfo, ReportModel, RowStream, SampleInfo } from '../model/report-model.js';
import type { TimeWindow } from '../model/window.js';
import type { HttpClient } from '../http/types.js';
import type { AnySource, PushdownRequest } from '../sources/source.js';
import type { RequesterDirectory } from '../config/requester-directory.js';
import { createAggregator, type AggregateResult, type LedgerCounts } from '../aggregate/aggregator.js';
import { createDayIndex } from '../aggregate/day-index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { createSpillStore, type SpillStore } from './spill-store.js';
import { createExceptionHeads, exceptionBucket, type ExceptionHeads } from './exception-heads.js';
import { pullSources, type EventSink, type PullProgress } from './pull-sources.js';
import { compareEvents } from '../model/event-order.js';
import { eventCodec, eventSortKey } from './event-codec.js';
import { createExceptionCodec, exceptionSortKey } from './exception-codec.js';
import type { AggregateSink } from './query-window.js';
import { createSubjectCounter } from '../rules/month-over-month.js';
import { fromBatches, rowBatches } from '../model/row-batches.js';

/** The parts of the rule engine the pipeline needs (src/rules/engine.ts implements it). */
export interface EventRules {
  evaluate(event: AuditEvent): { readonly rows: readonly ExceptionRow[]; readonly matchedRuleIds: readonly string[] };
  /** An hour (epoch ms / 3,600,000) with events, from a source that counted them itself. */
  addActivity?(source: string, sourceType: string, hour: number): void;
  finish(coverage: CoverageLedger): ExceptionRow[];
}

export interface EventSampler {
  onEvent(event: AuditEvent, matchedRuleIds: readonly string[], encoded?: Uint8Array): void;
  finish(): Promise<SampleInfo[]>;
}

/** Makes the run's sampler, given a spill store per sample population (src/rules/sampling.ts). */
export type SamplerFactory = (members: (population: number) => SpillStore<AuditEvent>) => EventSampler;

export interface PreviousComparison {
  trendOf(row: ExceptionRow): ExceptionTrend;
  resolved: ExceptionSubjectCount[];
}

export interface ProgressReporter extends PullProgress {
  /** A new stage of the run begins (`total`: the rows it will read, when known). */
  stage?(name: string, total?: number): void;
  /** Rows a renderer has read in the current stage. */
  rows?(n: number): void;
}

export interface PipelineInput {
  sources: AnySource[];
  period: PeriodInfo;
  plans: ReadonlyMap<string, TimeWindow[]>;
  /** raw/<source>/<window>.ndjson.gz are written below this (the pack's staging folder). */
  packDir: string;
  /** Resume state and spill files (removed by the caller once the pack is final). */
  stateDir: string;
  httpFor(source: AnySource): HttpClient;
  /** What aggregating sources must do where the data lives (the template's rules, the directory). */
  pushdown?: PushdownRequest;
  directory: RequesterDirectory | null;
  rules: EventRules;
  sampler: SamplerFactory | null;
  /** Built from the previous pack, when month-over-month comparison was asked for. */
  compareWith?: (subjects: ExceptionSubjectCount[]) => PreviousComparison;
  /** The controls the template's rules map to: each is counted, with 0 when nothing matched, so a report can say so. */
  controls?: readonly string[];
  /** Keep only failed events in the events population (every event is still counted). */
  failuresOnly?: boolean;
  /** Keep each rule's first rows of the exceptions stream, this many per rule (the PDF's limit): ReportModel.exceptionHeads. */
  exceptionHeadRows?: number;
  log: Logger;
  clock: Clock;
  signal: AbortSignal;
  progress: ProgressReporter;
}

export interface PipelineResult {
  aggregate: AggregateResult;
  coverage: CoverageLedger;
  exceptions: RowStream<ExceptionRow>;
  /** With `exceptionHeadRows`: each rule's first rows of `exceptions`, in its order. */
  exceptionHeads?: ReportModel['exceptionHeads'];
  events: RowStream<AuditEvent>;
  exceptionCounts: { bySeverity: Record<Severity, number>; byControl: Record<string, number>; byRule: Record<string, number> };
  exceptionSubjects: ExceptionSubjectCount[];
  samples: SampleInfo[];
  /** Rules an aggregating source could not evaluate where the data lives, per source. */
  rulesNotEvaluated: { source: string; ruleId: string; reason: string }[];
  /** Sources whose events are counted but not in the events population: where they live. */
  populationElsewhere: NonNullable<ReportModel['populationElsewhere']>;
}

const DAY = 86_400_000;

type ExceptionCounts = PipelineResult['exceptionCounts'];

/** The run's stages, in order; each is one function below. */
export async function runPipeline(input: PipelineInput): Promise<PipelineResult> {
  const stores = await createStores(input);
  try {
    return await runStages(input, stores);
  } catch (e) {
    // Spill stores hold bucket files open until sealed: a run that fails closes them.
    stores.close();
    throw e;
  }
}

async function runStages(input: PipelineInput, stores: Stores): Promise<PipelineResult> {
  const pulled = await pullSources(input, stores.sink, stores.aggregateSink);
  const coverage = await buildCoverage(input, pulled.windows, pulled.idCollisions);
  for (const r of input.rules.finish(coverage)) stores.addException(r);
  const exceptionSubjects = stores.subjects.list();
  const comparison = input.compareWith?.(exceptionSubjects);
  addResolvedRows(stores, comparison, input.period.start);
  const aggregate = stores.aggregator.result({ directoryHas: input.directory ? (id) => input.directory!.has(id) : undefined, dropped: droppedBySource(coverage.windows) });
  return {
    aggregate,
    populationElsewhere: input.sources.flatMap((s) => {
      const where = s.populationLocation?.();
      return where ? [{ source: s.name, events: aggregate.bySource.find((b) => b.source === s.name)?.events ?? 0, where }] : [];
    }),
    coverage,
    exceptions: withTrends(stores.exceptions.seal(), comparison),
    ...(stores.heads ? { exceptionHeads: { perRule: input.exceptionHeadRows ?? 0, rows: stores.heads.rows().map((row) => withTrend(row, comparison)) } } : {}),
    events: stores.events.seal(),
    exceptionCounts: countExceptions(exceptionSubjects, input.controls ?? []),
    exceptionSubjects,
    samples: (await stores.sampler?.finish()) ?? [],
    rulesNotEvaluated: stores.rulesNotEvaluated(),
  };
}

interface Stores {
  aggregator: ReturnType<typeof createAggregator>;
  events: SpillStore<AuditEvent>;
  exceptions: SpillStore<ExceptionRow>;
  heads: ExceptionHeads | null;
  subjects: ReturnType<typeof createSubjectCounter>;
  sampler: EventSampler | null;
  addException(row: ExceptionRow): void;
  /** Where every kept event goes: requester directory, aggregate, rules, sampler, events population. */
  sink: EventSink;
  /** Where an aggregating source's results go: the same aggregate and rules. */
  aggregateSink: AggregateSink;
  rulesNotEvaluated(): PipelineResult['rulesNotEvaluated'];
  /** Closes every spill store's open files (a run that failed before its seals). */
  close(): void;
}

/** The aggregator and the spill stores every kept event feeds, and the sink that feeds them. */
async function createStores(input: PipelineInput): Promise<Stores> {
  const days = createDayIndex(input.period.timeZone, input.period.start, input.period.end);
  const aggregator = createAggregator(days);
  const spillDir = join(input.stateDir, 'spill');
  await mkdir(spillDir, { recursive: true });
  const events = createSpillStore<AuditEvent>({
    dir: spillDir,
    name: 'events',
    codec: eventCodec,
    bucketOf: (e) => Math.floor(e.time / DAY),
    // A day bucket per event day (a few dozen): larger appends, fewer file opens.
    flushBytes: 256 * 1024,
    compare: compareEvents,
    sortKey: eventSortKey,
  });
  const sampleStores: SpillStore<AuditEvent>[] = [];
  const sampler = input.sampler?.((population) => {
    const store = createSpillStore<AuditEvent>({ dir: spillDir, name: `sample-${population}`, codec: eventCodec, bucketOf: (e) => Math.floor(e.time / DAY), compare: compareEvents, sortKey: eventSortKey });
    sampleStores.push(store);
    return store;
  }) ?? null;
  const exceptions = createSpillStore<ExceptionRow>({
    dir: spillDir,
    name: 'exceptions',
    codec: createExceptionCodec(),
    sortKey: exceptionSortKey,
    bucketOf: exceptionBucket,
    compare: compareExceptionRows,
  });
  const heads = input.exceptionHeadRows === undefined ? null : createExceptionHeads(input.exceptionHeadRows);
  const subjects = createSubjectCounter();
  const addException = (row: ExceptionRow) => {
    exceptions.add(row);
    heads?.add(row);
    subjects.add(row);
  };
  const withDirectory = <T extends { requester: AuditEvent['requester'] }>(e: T): T => {
    const entry = input.directory?.get(e.requester.id);
    if (entry) e.requester = { ...e.requester, name: entry.name || e.requester.name, email: entry.email || e.requester.email };
    return e;
  };
  /** Rules and samples: what every kept event and every candidate row goes through once. */
  const evaluate = (e: AuditEvent, encoded?: Buffer) => {
    const { rows, matchedRuleIds } = input.rules.evaluate(e);
    for (const r of rows) addException(r);
    sampler?.onEvent(e, matchedRuleIds, encoded);
  };
  const sink: EventSink = {
    accept(e: AuditEvent, encoded?: Buffer) {
      const requester = e.requester;
      withDirectory(e);
      // The source's spill bytes hold the event as it came: not once the directory named its requester.
      const bytes = e.requester === requester ? encoded : undefined;
      aggregator.add(e);
      evaluate(e, bytes);
      if (!input.failuresOnly || e.outcome === 'failure') events.add(e, bytes);
    },
  };
  const notEvaluated = new Map<string, { source: string; ruleId: string; reason: string }>();
  const aggregateSink: AggregateSink = {
    acceptGroup(g) {
      aggregator.addGroup(withDirectory(g));
    },
    // A candidate row is evaluated and sampled like any event but never counted again: its group
    // already was. The events population of such a source lives where the source reads it (the
    // Events sheet says where), so neither it nor a kept event joins the events store.
    acceptCandidate(e) {
      evaluate(withDirectory(e));
    },
    acceptEvent(e) {
      withDirectory(e);
      aggregator.add(e);
      evaluate(e);
    },
    activeHour(source, sourceType, hour) {
      input.rules.addActivity?.(source, sourceType, hour);
    },
    notEvaluated(source, rules) {
      for (const r of rules) notEvaluated.set(`${source}\u0000${r.ruleId}`, { source, ...r });
    },
  };
  const rulesNotEvaluated = () => [...notEvaluated.values()].sort((a, b) => cmp(a.source, b.source) || cmp(a.ruleId, b.ruleId));
  const close = () => {
    for (const store of [events, exceptions, ...sampleStores]) store.close();
  };
  return { aggregator, events, exceptions, heads, subjects, sampler, addException, sink, aggregateSink, rulesNotEvaluated, close };
}

/** The coverage ledger: every window's row in source and window order, plus the sources' own sections. */
async function buildCoverage(input: PipelineInput, windows: WindowCoverage[], idCollisions: IdCollision[]): Promise<CoverageLedger> {
  const sourceLedgers: SourceLedger[] = [];
  if (input.sources.some((s) => s.finish)) input.progress.stage?.('check sources');
  for (const source of input.sources) {
    if (source.finish) {
      sourceLedgers.push(...(await source.finish({ signal: input.signal, log: input.log, clock: input.clock, period: { start: input.period.start, end: input.period.end } })));
    }
    for (const f of source.rawFiles?.() ?? []) {
      await mkdir(join(input.packDir, 'raw', source.name), { recursive: true });
      await writeFile(join(input.packDir, 'raw', source.name, f.name), f.text);
    }
  }
  const sorted = [...windows].sort((a, b) => cmp(a.source, b.source) || a.window.index - b.window.index);
  return {
    complete: sorted.every((w) => w.status === 'complete') && sourceLedgers.every((s) => s.status === 'complete'),
    windows: sorted,
    sources: sourceLedgers,
    idCollisions: [...idCollisions].sort((a, b) => cmp(a.source, b.source) || cmp(a.eventId, b.eventId)),
  };
}

/** An exception of the previous pack not seen in this period is listed once, as resolved. */
function addResolvedRows(stores: Pick<Stores, 'exceptions' | 'heads'>, comparison: PreviousComparison | undefined, periodStart: number): void {
  for (const gone of comparison?.resolved ?? []) {
    const row: ExceptionRow = {
      ruleId: gone.ruleId, title: gone.title, severity: gone.severity, control: gone.control,
      reason: `Resolved: seen ${gone.count} time(s) in the previous pack, not in this period.`,
      time: periodStart, source: '', eventId: null, service: '', operation: '', responseCode: '',
      requesterId: '', requesterName: null, requesterEmail: null, resource: null, client: null, details: null,
      subject: gone.subject, trend: 'resolved',
    };
    stores.exceptions.add(row);
    stores.heads?.add(row);
  }
}

/** What each source's ledger counted besides its events (duplicates, read again, outside the period, id collisions), for the aggregate's totals. */
function droppedBySource(windows: readonly WindowCoverage[]): Record<string, { sourceType: string } & LedgerCounts> {
  const dropped: Record<string, { sourceType: string } & LedgerCounts> = {};
  for (const w of windows) {
    const d = (dropped[w.source] ??= { sourceType: w.sourceType, duplicates: 0, outsidePeriod: 0, readAgain: 0, idCollisions: 0 });
    d.duplicates += w.duplicates;
    d.outsidePeriod += w.outsidePeriod;
    d.readAgain += w.rereads;
    d.idCollisions += w.idCollisions;
  }
  return dropped;
}

/** Exceptions by severity, control and rule; every control of the template is listed, with 0 when nothing matched. */
function countExceptions(subjects: readonly ExceptionSubjectCount[], controls: readonly string[]): ExceptionCounts {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  const byControl: Record<string, number> = Object.fromEntries(controls.map((c) => [c, 0]));
  const byRule: Record<string, number> = {};
  for (const s of subjects) {
    bySeverity[s.severity] += s.count;
    byControl[s.control] = (byControl[s.control] ?? 0) + s.count;
    byRule[s.ruleId] = (byRule[s.ruleId] ?? 0) + s.count;
  }
  return { bySeverity, byControl: sortKeys(byControl), byRule: sortKeys(byRule) };
}

/** With a previous pack, each exception row read back carries its trend (new, recurring…). */
function withTrends(sealed: RowStream<ExceptionRow>, comparison: PreviousComparison | undefined): RowStream<ExceptionRow> {
  if (!comparison) return sealed;
  async function* openBatches(): AsyncGenerator<readonly ExceptionRow[]> {
    for await (const batch of rowBatches(sealed)) yield batch.map((row) => withTrend(row, comparison));
  }
  return {
    count: sealed.count,
    ...fromBatches(openBatches),
  };
}

function withTrend(row: ExceptionRow, comparison: PreviousComparison | undefined): ExceptionRow {
  return row.trend || !comparison ? row : { ...row, trend: comparison.trendOf(row) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => cmp(a, b)));
}
