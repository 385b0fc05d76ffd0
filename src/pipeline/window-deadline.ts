import { AuditpackError } from '../errors.js';

/**
 * The deadline of one window: a signal that aborts when the run's does or when `ms` have passed
 * since the window started, retries and waits included. Without it a server that answers just
 * inside every request deadline, forever, would keep a window (and the run) going forever.
 */
export interface WindowDeadline {
  signal: AbortSignal;
  /** True when the deadline (not the run's signal) ended the window. */
  expired(): boolean;
  /** The window's failure once `expired()`. */
  error(what: string, pages: number): AuditpackError;
  clear(): void;
}

export function startWindowDeadline(ms: number | undefined, run: AbortSignal): WindowDeadline {
  if (ms === undefined || !(ms > 0)) {
    return { signal: run, expired: () => false, error: () => new AuditpackError('DEADLINE_EXCEEDED', 'no window deadline'), clear: () => undefined };
  }
  const own = new AbortController();
  const timer = setTimeout(() => own.abort(new AuditpackError('DEADLINE_EXCEEDED', `window deadline of ${ms} ms passed`)), ms);
  timer.unref?.();
  return {
    signal: AbortSignal.any([run, own.signal]),
    expired: () => own.signal.aborted && !run.aborted,
    error: (what, pages) =>
      new AuditpackError('DEADLINE_EXCEEDED', `${what}: not finished within ${duration(ms)} (the window deadline), after ${pages} page${pages === 1 ? '' : 's'}`, {
        hint: 'the API is answering too slowly; run again later (finished windows are kept), use a smaller windowHours, or raise windowTimeoutMs for this source',
      }),
    clear: () => clearTimeout(timer),
  };
}

function duration(ms: number): string {
  if (ms >= 3_600_000 && ms % 60_000 === 0) return `${+(ms / 3_600_000).toFixed(2)} h`;
  if (ms >= 60_000) return `${+(ms / 60_000).toFixed(1)} min`;
  if (ms >= 1000) return `${+(ms / 1000).toFixed(1)} s`;
  return `${ms} ms`;
}
