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
import type { RuleSpec } from '../rules/rule-spec.js';

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
       * The page exactly as received, when it is one gzip member holding one line of JSON
       * `{"Records": [...]}` and needs no redaction: archived byte for byte instead of `records`.
       */
      gzip?: Uint8Array;
      /**
       * Records of the page left out of `records` because the source knows their events lie at or
       * after the window's end: counted as received and outside the window. Only with `gzip`, which
       * still holds them.
       */
      afterWindow?: number;
    }
  | {
      /**
       * The window is being pulled again, from its start or (SMAPI) from the time of the last
       * record received, before which everything was received; records already seen are re-reads.
       */
      kind: 'restart';
      reason: string;
    };

export interface PullContext {
  http: HttpClient;
  signal: AbortSignal;
  log: Logger;
  clock: Clock;
  /** This window's counters: the source increments pages/restarts/problems/extra; http adds attempts. */
  stats: WindowStats;
  progress(update: { pages?: number; records?: number }): void;
  /**
   * Every window of this source the run pulls (absent for a lone window): a source whose windows
   * overlap (CloudTrail files read past a window's end) shares reads between them.
   */
  windows?: readonly TimeWindow[];
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
  /** Files for raw/<source>/ known only after finish() (the files read, with their digest hashes). */
  rawFiles?(): { name: string; text: string }[];
  close?(): Promise<void>;
}

/** A source that hands over every event: the pipeline counts, evaluates and keeps them itself. */
export interface Source extends SourceBase {
  kind?: 'events';
  /** Pages to the end of the window; throws AuditpackError when the window cannot be completed. */
  pull(window: TimeWindow, ctx: PullContext): AsyncIterable<PullItem>;
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
}

/** The template's work the source must do where the data lives. */
export interface PushdownRequest {
  timeZone: string;
  rules: readonly RuleSpec[];
  /** Requester ids of the directory; null when none is configured. */
  directoryIds: readonly string[] | null;
  businessHours: BusinessHours | null;
}

/** One window's results from an aggregating source. */
export interface WindowAggregate {
  /** Counts of the window's kept (de-duplicated) events, by the report's dimensions. */
  groups: EventGroup[];
  /** UTC hours (epoch ms / 3,600,000) in which the window has events (quiet-period rules). */
  activeHours: number[];
  /** Full events the rules need (exception candidates), each once. */
  candidates: AuditEvent[];
  /** The window's ledger figures, as the event path would count them. */
  ledger: { recordsReceived: number; outsideWindow: number; duplicates: number };
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
