import type { AuditEvent } from './audit-event.js';
import type { CoverageLedger } from './coverage.js';
import type { ExceptionRow, Severity } from './exception.js';

/** A table row of counts by one key (operation, response code, requester, client). */
export interface CountRow {
  key: string;
  /** Human label where it differs from the key (requester name, client name). */
  label?: string;
  /**
   * Operation rows only: the service and the operation's own name, shown as two columns everywhere
   * (the key joins them to keep s3's DeleteBucket apart from another service's).
   */
  service?: string;
  operation?: string;
  events: number;
  failures: number;
  /** failures / events, 0..1. */
  failureRate: number;
  firstTime: number | null;
  lastTime: number | null;
}

export interface RequesterRow extends CountRow {
  name: string | null;
  email: string | null;
  type: string | null;
  /** False when the id is not in the requester directory. */
  inDirectory: boolean;
}

export interface DailyRow {
  /** YYYY-MM-DD in the report's time zone. */
  day: string;
  events: number;
  failures: number;
}

export interface Totals {
  events: number;
  failures: number;
  /** successes / events, 0..1; 1 when there are no events. */
  successRate: number;
  requesters: number;
  operations: number;
  firstEventTime: number | null;
  lastEventTime: number | null;
  duplicatesRemoved: number;
  /** Records whose event lies outside the period (never kept). */
  outsidePeriod: number;
  /** Records read again (a window restarted, or a neighbouring window's boundary record): not kept twice. */
  readAgain: number;
  /** Events kept under an id another kept record of other content has (both kept, flagged). */
  idCollisions: number;
}

export interface SourceSummary extends Totals {
  source: string;
  sourceType: string;
}

export interface PeriodInfo {
  /** What the user asked for: "2026-10", "last-month", "2026-10-01..2026-10-15". */
  label: string;
  /** IANA zone the period and all local times are in. */
  timeZone: string;
  /** Epoch ms, half-open. */
  start: number;
  end: number;
  /** ISO strings with offset in the report zone, and in UTC. */
  startLocal: string;
  endLocal: string;
  startUtc: string;
  endUtc: string;
}

export interface SignOff {
  preparedBy: string | null;
  reviewedBy: string | null;
  date: string | null;
  conclusion: string | null;
}

/** Sections a template asks for; renderers skip what is not listed. */
export type SectionId =
  | 'cover'
  | 'summary'
  | 'charts'
  | 'operations'
  | 'responseCodes'
  | 'requesters'
  | 'clients'
  | 'daily'
  | 'exceptions'
  | 'failureClusters'
  | 'events'
  | 'sample'
  | 'coverage'
  | 'signoff';

/** A re-readable stream of rows spilled to disk: renderers may open it more than once. */
export interface RowStream<T> {
  count: number;
  open(): AsyncIterable<T>;
  /** The same rows in the same order, a batch at a time (src/model/row-batches.ts says why). */
  openBatches?(): AsyncIterable<readonly T[]>;
  /** Where the rows are on disk, when they were spilled: lets a reader in another thread read them too. */
  files?: SpillFiles;
}

/** A spilled stream's bucket files, in row order of buckets (src/pipeline/spill-store.ts). */
export interface SpillFiles {
  buckets(): SpillBucket[];
  /**
   * Another thread puts the unsorted buckets in row order (it sorts each as it reads it): reads in
   * this thread wait for `ready(file)` instead of sorting the bucket again.
   */
  sortedElsewhere(ready: (file: string) => Promise<void>): void;
}

export interface SpillBucket {
  file: string;
  /** False: the file is in arrival order, and whoever reads it first sorts it, in runs of `runRows`. */
  sorted: boolean;
  runRows: number;
}

export interface ExceptionSubjectCount {
  ruleId: string;
  subject: string;
  title: string;
  severity: Severity;
  control: string;
  count: number;
}

export interface FailureCluster {
  requesterId: string;
  requesterName: string | null;
  service: string;
  operation: string;
  responseCode: string;
  failures: number;
  firstTime: number;
  lastTime: number;
}

/** How sample positions are chosen: v1 lowest HMAC-SHA256(seed, event id); v2 seeded positions in canonical order. */
export type SampleMethodVersion = 'v1' | 'v2';

/** `given`: the seed came from --sample-seed; `default`: derived from period and template, known to whoever runs the tool. */
export type SampleSeedSource = 'given' | 'default';

/** Why a sampled event was chosen: its draw order, and its 1-based position in the population in canonical order (v2). */
export interface SamplePick {
  rank: number;
  position: number | null;
}

export interface SampleInfo {
  population: string;
  populationSize: number;
  sampleSize: number;
  seed: string;
  seedSource: SampleSeedSource;
  methodVersion: SampleMethodVersion;
  method: string;
  /** In canonical (time) order. */
  rows: AuditEvent[];
  /** One per row, in the same order. */
  selection: SamplePick[];
}

/** Said wherever a sample drawn with the default seed is shown (Sample sheets, PDF). */
export const DEFAULT_SEED_WARNING =
  'The default seed is derived from the period and template, so whoever runs auditpack knows it in advance. ' +
  'The auditor should choose the seed (auditpack run --sample-seed) and have the pack drawn again.';

/** How the pack's samples were drawn, for the manifest, the cover and the sample sheets. */
export interface SamplingInfo {
  method: SampleMethodVersion;
  seed: string;
  seedSource: SampleSeedSource;
}

export interface ReportMeta {
  title: string;
  organization: string;
  template: string;
  templateDescription: string;
  toolVersion: string;
  /** ISO 8601 UTC. */
  generatedAt: string;
  /** Short id printed on every page: first 12 hex of the sha-256 of the run parameters. */
  packId: string;
  command: string;
  parameters: Record<string, unknown>;
  sources: { name: string; type: string; description: string }[];
  /** With --sign-key: the algorithm and public-key fingerprint of the key that signs manifest.json. */
  signer?: { algorithm: string; keyFingerprint: string } | null;
}

export interface ReportModel {
  meta: ReportMeta;
  period: PeriodInfo;
  sections: SectionId[];
  /** Sections of the PDF (a subset of `sections`: the auditor handoff's PDF is a short cover and summary). */
  pdfSections: SectionId[];
  /** How the exceptions section is grouped: by Trust Services Criterion, severity or rule. */
  exceptionGrouping: 'control' | 'severity' | 'rule';
  /** The events population holds failed operations only (failed-operations review). */
  failuresOnly: boolean;
  /** Maximum exception rows in the PDF before the "showing N of M" banner. */
  pdfExceptionLimit: number;
  complete: boolean;
  /** One line per failed window or source problem, for the cover and summary. */
  incompleteReasons: string[];
  totals: Totals;
  bySource: SourceSummary[];
  operations: CountRow[];
  responseCodes: CountRow[];
  /** Counts by class: 2xx, 4xx, 5xx, error, ok. */
  responseClasses: CountRow[];
  requesters: RequesterRow[];
  clients: CountRow[];
  daily: DailyRow[];
  exceptionCounts: { bySeverity: Record<Severity, number>; byControl: Record<string, number>; byRule: Record<string, number> };
  /** Exceptions aggregated by rule and subject: what month-over-month reads from last period's pack. */
  exceptionSubjects: ExceptionSubjectCount[];
  failureClusters: FailureCluster[];
  samples: SampleInfo[];
  /** Null when the template draws no samples. */
  sampling: SamplingInfo | null;
  /**
   * Sources whose events are counted here but not listed in the Events sheet (they were counted
   * where the data lives: cloudtrail-athena), with where the population is and how many events.
   */
  populationElsewhere?: { source: string; events: number; where: string }[];
  /** Rules a source that counts where the data lives (cloudtrail-athena) could not evaluate there, and why. */
  rulesNotEvaluated?: { source: string; ruleId: string; reason: string }[];
  coverage: CoverageLedger;
  signOff: SignOff;
  /** Sorted by severity, then time. */
  exceptions: RowStream<ExceptionRow>;
  /**
   * Each rule's first rows of `exceptions` (at most `perRule` per rule), in its order, kept as the
   * pull added them: the PDF picks its rows here instead of reading the stream, when `perRule`
   * covers its limit. Absent: the PDF reads the stream.
   */
  exceptionHeads?: { perRule: number; rows: readonly ExceptionRow[] };
  /** The whole normalized population, sorted by time. */
  events: RowStream<AuditEvent>;
}
