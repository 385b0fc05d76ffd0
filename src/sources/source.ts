import type { z } from 'zod';
import type { AuditEvent, SourceType } from '../model/audit-event.js';
import type { SourceLedger, WindowStats } from '../model/coverage.js';
import type { TimeWindow } from '../model/window.js';
import type { HttpClient } from '../http/types.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Redactor } from '../util/redactor.js';
import type { SecretResolver } from '../config/secrets.js';
import type { EventGroup } from '../model/event-group.js';
import type { BusinessHours } from '../rules/business-hours.js';
import type { RuleSpec, SampleSpec } from '../rules/rule-spec.js';

/** How a source's API wants its time range cut. */
export interface WindowPolicy {
  /** Longest window one query may cover (ms), a hard API limit; null: no limit. */
  maxWindowMs: number | null;
  /**
   * Preferred window length in local calendar days (cut at midnight in the report's zone, so a
   * DST day is a 23- or 25-hour window). Windows are then cut again wherever maxWindowMs requires.
   */
  windowDays?: number;
  /** How far back the API keeps data (ms); windows starting earlier are refused up front. */
  retentionMs: number | null;
  /** Whether the API treats the end bound as inclusive (we still ask half-open and filter). */
  endInclusive: boolean;
  /** Records per page we ask for; 0 where there is none to ask for (the server decides, or a page is a file). */
  pageSize: number;
  /** Windows pulled at the same time. */
  concurrency: number;
  /**
   * Longest time one window may take, retries and waits included; past it the window fails
   * (DEADLINE_EXCEEDED) and the pack is INCOMPLETE. Undefined: no window deadline.
   */
  windowTimeoutMs?: number;
  /** What to suggest when retention refuses a window. */
  retentionHint?: string;
  /**
   * How long after an event the source may still deliver it (ms; default 0): a pack generated
   * before the period's end plus this is INCOMPLETE (src/pipeline/delivery-check.ts).
   */
  deliveryDelayMs?: number;
}

/** One unit of what `pull` yields. */
export type PullItem =
  | {
      kind: 'page';
      /** Records exactly as received (after secret redaction where the source must redact). */
      records: unknown[];
      /**
       * The page's bytes as received and the key of its records' array, where the source needs no
       * redaction: the pipeline locates the records in them (off the main thread once a pull is
       * large: src/pack/archive-gzip.ts), archives them as those bytes, one record per line, and
       * fingerprints them from those bytes instead of serializing each parsed record again.
       * Handed over: the source must not read the bytes after yielding them.
       */
      received?: { bytes: Uint8Array; arrayKey: string };
    }
  | {
      /**
       * The window is being pulled again, from its start or (SMAPI) from the time of the last
       * record received, before which everything was received; records already seen are re-reads.
       */
      kind: 'restart';
      reason: string;
    };

/**
 * One unit of a period pull (`Source.pullPeriod`): a file read once, its records already
 * normalized (in worker threads), for the pipeline to route each to the window of its event time.
 */
export interface PeriodFile {
  kind: 'file';
  /** What the file is (its store key): named in problems and counted per window it fed. */
  item: string;
  /** Index of the window whose raw archive holds the file (the window of its delivery). */
  window: number;
  /** The file as received, for the raw archive: a gzip member of one `{"Records": [...]}` line, or of one record per line. */
  archive: { gzip: Uint8Array; records: number } | null;
  /** Records received. */
  records: number;
  /**
   * The events, each with the fingerprint of its record's content (src/util/content-fingerprint.ts)
   * and, where the source has them, the event's spill bytes (src/pipeline/event-codec.ts), so the
   * spill need not encode it again. Iterated once, in order: a source may make each event only
   * as it is asked for, so events die young instead of a few files' worth outliving collections.
   */
  events: Iterable<{ event: AuditEvent; content: number; encoded?: Buffer }>;
  /** Records that are no events (a digest record). */
  notEvents: number;
  /** Records refused (no usable time, not an object): each a problem of the file's window. */
  invalid: { item: string; message: string }[];
  /** The file could not be read (not gzip, not a log, over the size cap, its worker died): fails its window. */
  error?: { code: string; message: string };
  /** Compressed bytes read. */
  bytes: number;
}

export interface PeriodPullContext {
  signal: AbortSignal;
  log: Logger;
  clock: Clock;
  /** Counters of a window of the pull (attempts of a file's read go to the file's window). */
  stats(window: number): WindowStats;
  progress(update: { pages?: number; records?: number }): void;
}

export interface PullContext {
  http: HttpClient;
  signal: AbortSignal;
  log: Logger;
  clock: Clock;
  /** This window's counters: the source increments pages/restarts/problems/extra; http adds attempts. */
  stats: WindowStats;
  progress(update: { pages?: number; records?: number }): void;
}

/** What every source is, whichever way it delivers its data. Plain object; no module-level state. */
export interface SourceBase {
  name: string;
  type: SourceType;
  /** One line for the report: "Alexa SMAPI audit logs, vendor M1EXAMPLE". */
  description: string;
  policy: WindowPolicy;
  /** The query parameters for a window, secrets removed: what coverage.json records. */
  describeRequest(window: TimeWindow): Record<string, unknown>;
  /** Estimated requests for a window (for `auditpack plan`). */
  estimateRequests?(window: TimeWindow): number;
  /** Source-level checks after all windows (e.g. digest validation); ledger sections for coverage. */
  finish?(ctx: { signal: AbortSignal; log: Logger; clock: Clock; period: { start: number; end: number } }): Promise<SourceLedger[]>;
  /**
   * Where the source's events live when the pack does not hold them (a source that counts where
   * the data lives): the Events sheet and README.txt say it, so the auditor knows the population.
   */
  populationLocation?(): string;
  /** Files for raw/<source>/ known only after finish() (the files read, with their digest hashes). */
  rawFiles?(): { name: string; text: string }[];
  close?(): Promise<void>;
}

/** A source that hands over every event: the pipeline counts, evaluates and keeps them itself. */
export interface Source extends SourceBase {
  kind?: 'events';
  /** Pages to the end of the window; throws AuditpackError when the window cannot be completed. */
  pull?(window: TimeWindow, ctx: PullContext): AsyncIterable<PullItem>;
  /**
   * For a source whose unit is a file that can hold any window's records (CloudTrail files: key
   * dates are delivery dates): the whole period in one pass, each file read once, in a stable
   * order (the pack does not depend on scheduling). The pipeline uses it instead of `pull`.
   */
  pullPeriod?(windows: readonly TimeWindow[], ctx: PeriodPullContext): AsyncIterable<PeriodFile>;
  /** A raw record to the normalized event; null for records that are not events (a digest record). */
  normalize(raw: unknown): AuditEvent | null;
}

/**
 * A source that does the counting where the data lives (a query engine over the trail's bucket)
 * and hands over, per window, the report's figures instead of the events: counts by group, the
 * rows the template's rules and samples need in full, and the evidence of what was read.
 */
export interface AggregatingSource extends SourceBase {
  kind: 'aggregating';
  /** Runs the window's queries; throws AuditpackError when the window cannot be completed. */
  queryWindow(window: TimeWindow, ctx: QueryWindowContext): Promise<WindowAggregate>;
  /** A window an interrupted run completed, replayed from its saved results: what finish() needs of it. */
  restoreWindow?(window: TimeWindow, result: WindowAggregate): void;
}

export type AnySource = Source | AggregatingSource;

export function isAggregating(source: AnySource): source is AggregatingSource {
  return source.kind === 'aggregating';
}

/** What the pipeline tells an aggregating source beyond the window: the whole plan and what to push down. */
export interface QueryWindowContext {
  signal: AbortSignal;
  log: Logger;
  clock: Clock;
  /** This window's counters (attempts, retries, throttles, problems, extra). */
  stats: WindowStats;
  progress(update: { pages?: number; records?: number }): void;
  period: { start: number; end: number };
  /** Every window of the source's plan, in order (pulled now or resumed). */
  plan: readonly TimeWindow[];
  pushdown: PushdownRequest;
  /**
   * This run's identity, the same when an interrupted run resumes and new for every other run:
   * what makes work submitted where the data lives (Athena's ClientRequestToken) this run's own.
   */
  runId: string;
}

/** The template's work the source must do where the data lives. */
export interface PushdownRequest {
  timeZone: string;
  rules: readonly RuleSpec[];
  /** Requester ids of the directory; null when none is configured. */
  directoryIds: readonly string[] | null;
  businessHours: BusinessHours | null;
  /** The sample populations drawn (none when the run draws no samples): their members are returned in full. */
  samples?: readonly SampleSpec[];
}

/** One window's results from an aggregating source. */
export interface WindowAggregate {
  /** Counts of the window's kept (de-duplicated) events, by the report's dimensions. */
  groups: EventGroup[];
  /** UTC hours (epoch ms / 3,600,000) in which the window has events (quiet-period rules). */
  activeHours: number[];
  /** Full events the rules and samples need (exception candidates, sample population members), each once; already counted in `groups`. */
  candidates: AuditEvent[];
  /**
   * Events the window kept that `groups` does not count (records whose key has other records in
   * the period: the source decided which are kept): the pipeline counts, evaluates and samples them.
   */
  kept?: AuditEvent[];
  /** The window's ledger figures, as the event path would count them. */
  ledger: {
    recordsReceived: number;
    /** Records outside the period (counted by the window their file was delivered in). */
    outsidePeriod: number;
    duplicates: number;
    /** Events kept under an id already kept with other content. */
    idCollisions: number;
    /** The ids those collisions are of, with the number of distinct records kept under each. */
    collisionIds?: { eventId: string; records: number }[];
  };
  /** Rules the source could not evaluate, and why: named in the pack. */
  notEvaluated: { ruleId: string; reason: string }[];
  /** What an auditor needs to re-run the work: written under raw/ as JSON. */
  evidence: Record<string, unknown>;
}

export interface SourceDeps {
  secrets: SecretResolver;
  redactor: Redactor;
  log: Logger;
  clock: Clock;
  /** Builds an HTTP client with the source's limits (each source owns its client). */
  createHttpClient: (opts: import('../http/types.js').HttpClientOptions) => HttpClient;
  /**
   * Limits shared by every source of the run (an account's rate limit); absent, each source keeps
   * its own.
   */
  rateLimiters?: import('../http/rate-limiter.js').RateLimiterRegistry;
  /** Worker threads a source that parses files may use (`--workers`; default: the cores available). */
  workers?: number;
  /** Directory relative paths in the config are resolved against. */
  configDir: string;
  env: NodeJS.ProcessEnv;
}

/** A source type: its config schema and a factory. The registry (registry.ts) names them. */
export interface SourceDefinition<C extends { type: string; name?: string } = { type: string; name?: string }, S extends AnySource = Source> {
  type: SourceType;
  title: string;
  /** zod schema of one `sources[]` entry (strict: unknown keys are errors). */
  configSchema: z.ZodType<C>;
  create(config: C, deps: SourceDeps): S;
}
