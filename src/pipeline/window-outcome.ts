import { toAuditpackError, type AuditpackError } from '../errors.js';
import type { SourceType } from '../model/audit-event.js';
import type { WindowCoverage, WindowStats } from '../model/coverage.js';
import { windowKey, type TimeWindow } from '../model/window.js';
import type { Logger } from '../util/logger.js';

/**
 * A window's error as its ledger row states it, or a rethrow: a fatal error (access refused, the
 * source unreachable) or an interruption stops the whole run; anything else fails this window only.
 * `err` is the error already typed (a window deadline names itself); by default, `e` typed.
 */
export function windowError(e: unknown, what: string, deps: { signal: AbortSignal; log: Logger }, err: AuditpackError = toAuditpackError(e)): NonNullable<WindowCoverage['error']> {
  if (err.fatal || deps.signal.aborted) throw err;
  deps.log.warn(`${what} failed: ${err.message}`);
  return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
}

/** A window's status and error: failed when it has an error or any item (a page, a file) failed, the first named. */
export function windowOutcome(error: WindowCoverage['error'], problems: WindowCoverage['problems']): Pick<WindowCoverage, 'status' | 'error'> {
  const failed = error !== undefined || problems.length > 0;
  const first = problems[0];
  return {
    status: failed ? 'failed' : 'complete',
    ...(error ? { error } : first ? { error: { code: first.code, message: `${problems.length} item(s) failed, first: ${first.item}: ${first.message}` } } : {}),
  };
}

/** What a window kept and set aside: the counts its ledger row adds up from, and its event times. */
export type WindowCounts = Pick<WindowCoverage, 'recordsReceived' | 'eventsKept' | 'outsidePeriod' | 'duplicates' | 'rereads' | 'refused' | 'idCollisions'> & {
  first: number;
  last: number;
};

/** A window's ledger row, for pulled and queried windows alike: the source's stats, the window's counts, its outcome. */
export function windowRow(
  source: { name: string; type: SourceType; describeRequest(window: TimeWindow): Record<string, unknown> },
  window: TimeWindow,
  stats: WindowStats,
  counts: WindowCounts,
  end: { error: WindowCoverage['error']; resumed: boolean; extra: WindowCoverage['extra'] },
): WindowCoverage {
  const outcome = windowOutcome(end.error, stats.problems);
  const { first, last, ...ledger } = counts;
  return {
    source: source.name,
    sourceType: source.type,
    window: { index: window.index, key: windowKey(window), start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
    request: source.describeRequest(window),
    pages: stats.pages,
    attempts: stats.attempts,
    retries: stats.retries,
    throttles: stats.throttles,
    retryWaitMs: stats.retryWaitMs,
    restarts: stats.restarts,
    problems: stats.problems,
    ...ledger,
    firstEventTime: Number.isFinite(first) ? new Date(first).toISOString() : null,
    lastEventTime: Number.isFinite(last) ? new Date(last).toISOString() : null,
    status: outcome.status,
    resumed: end.resumed,
    ...(outcome.error ? { error: outcome.error } : {}),
    extra: end.extra,
  };
}
