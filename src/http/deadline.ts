import type { AttemptFailure, Target } from './classify.js';

/** The request deadline of one attempt passed (the caller's own signal did not abort). */
export class DeadlinePassed extends Error {
  constructor(
    readonly ms: number,
    cause: unknown,
  ) {
    super(`request deadline of ${ms} ms passed`, { cause });
    this.name = 'DeadlinePassed';
  }
}

export function deadlineFailure(e: DeadlinePassed, t: Target): AttemptFailure {
  return {
    code: 'HTTP_TIMEOUT',
    message: `${t.what}: no complete response within ${seconds(e.ms)} (the request deadline; the server kept the connection alive without finishing)`,
    hint: 'the server is too slow; run again later, or raise requestTimeoutMs for this source',
    cause: e,
    retryable: true,
    throttle: false,
  };
}

/** A signal that aborts when `parent` does or when `ms` have passed; `expired` tells which. */
export function startDeadline(ms: number, parent: AbortSignal | undefined): { signal: AbortSignal; expired(): boolean; clear(): void } {
  const own = new AbortController();
  const timer = setTimeout(() => own.abort(new Error(`request deadline of ${ms} ms passed`)), ms);
  timer.unref?.();
  return {
    signal: parent ? AbortSignal.any([parent, own.signal]) : own.signal,
    expired: () => own.signal.aborted && !parent?.aborted,
    clear: () => clearTimeout(timer),
  };
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}
