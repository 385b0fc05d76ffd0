import { toAuditpackError, type AuditpackError } from '../errors.js';
import type { WindowCoverage } from '../model/coverage.js';
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
