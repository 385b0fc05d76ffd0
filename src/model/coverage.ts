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
  eventsKept: number;
  outsideWindow: number;
  duplicates: number;
  /** Records seen again after a restart of the window; not duplicates, not counted twice. */
  rereads: number;
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

export interface CoverageLedger {
  complete: boolean;
  windows: WindowCoverage[];
  sources: SourceLedger[];
}
