import type { SourceType } from './audit-event.js';

export type WindowStatus = 'complete' | 'failed' | 'skipped';

/** One problem inside a window that did not stop the rest of it (a corrupt file, a bad page). */
export interface WindowProblem {
  /** What failed: a file key, a page number, a query id. */
  item: string;
  code: string;
  message: string;
}

/** Counters every window keeps; sources and the HTTP layer increment them. */
export interface WindowStats {
  pages: number;
  recordsReceived: number;
  attempts: number;
  retries: number;
  throttles: number;
  /** Total milliseconds spent waiting before retries (backoff and Retry-After). */
  retryWaitMs: number;
  /** Times the window was pulled again from the start (rejected or expired page token). */
  restarts: number;
  problems: WindowProblem[];
  /** Source-specific ledger facts (timestamp unit, redactions, files read, digest results...). */
  extra: Record<string, string | number | boolean>;
}

export function emptyStats(): WindowStats {
  return {
    pages: 0,
    recordsReceived: 0,
    attempts: 0,
    retries: 0,
    throttles: 0,
    retryWaitMs: 0,
    restarts: 0,
    problems: [],
    extra: {},
  };
}

/** A row of the coverage ledger: one source × one window. */
export interface WindowCoverage extends Omit<WindowStats, 'extra'> {
  source: string;
  sourceType: SourceType;
  window: { index: number; key: string; start: string; end: string };
  /** The query parameters sent, with every secret removed. */
  request: Record<string, unknown>;
  /**
   * The ledger adds up: recordsReceived = eventsKept + duplicates + rereads + outsidePeriod + refused.
   * Events kept include id collisions (`idCollisions`: an id already kept with other content).
   */
  eventsKept: number;
  /** Records whose event lies before or after the period: never kept. */
  outsidePeriod: number;
  /** Records identical to one already kept (same id, same content): removed. */
  duplicates: number;
  /**
   * Records read again: seen again after a restart of the window, or a neighbouring window's
   * record inside the period (an API whose end bound is inclusive returns boundary events to both),
   * which that window reads itself. Not duplicates, never counted twice.
   */
  rereads: number;
  /** Records that are no events (a digest record) or could not be read as one (see problems). */
  refused: number;
  /** Events kept whose id was already kept with other content (both are kept; see the ID collisions listing). */
  idCollisions: number;
  firstEventTime: string | null;
  lastEventTime: string | null;
  status: WindowStatus;
  /** True when the window was replayed from the raw archive of an interrupted earlier run. */
  resumed: boolean;
  /** Why the window failed, and what the user can do about it. */
  error?: { code: string; message: string; hint?: string };
  extra: Record<string, string | number | boolean>;
}

/** A source-level ledger section (e.g. CloudTrail digest validation) beside the windows. */
export interface SourceLedger {
  source: string;
  sourceType: SourceType;
  title: string;
  status: 'complete' | 'failed';
  facts: Record<string, string | number | boolean>;
  problems: WindowProblem[];
}

/** An event id kept with more than one content (real trails reuse ids): every content is kept. */
export interface IdCollision {
  source: string;
  eventId: string;
  /** Distinct records kept under the id. */
  records: number;
}

export interface CoverageLedger {
  complete: boolean;
  windows: WindowCoverage[];
  sources: SourceLedger[];
  /** Ids that collided, by source then id: each a row of the workbook's ID collisions listing. */
  idCollisions: IdCollision[];
}
