import { AuditpackError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { AttemptFailure } from './classify.js';
import { backoffDelay, createRetryBudget, resolveRetryPolicy, type RetryBudget } from './retry.js';
import type { AttemptRecorder, RetryPolicy } from './types.js';

/** What one attempt gives the strategy: the value, or a classified failure it decides on. */
export type AttemptOutcome<R> = { ok: true; value: R } | { ok: false; failure: AttemptFailure };

export interface RetryRun {
  /** "SMAPI query page 3" or "CloudTrail LookupEvents us-east-1 page 2": for messages. */
  what: string;
  signal?: AbortSignal;
  /** The window's counters: the strategy adds retries, throttles and waits; the attempt adds attempts. */
  rec: AttemptRecorder;
}

/**
 * One retry strategy for every call a source makes, over HTTP (the undici client) or through the
 * AWS SDK (run with its own retries off): the same policy (attempts, backoff with full jitter,
 * Retry-After up to a limit), the same retry budget shared by all of the source's requests, and
 * the same ledger counts. The attempt classifies its own failure (an HTTP status, a transport
 * error, an AWS error name); everything after that is decided here, once.
 */
export interface RetryStrategy {
  readonly policy: RetryPolicy;
  /**
   * Calls `attempt` until it succeeds, fails for good, or the attempts, the budget or the signal
   * run out. `attempt` counts itself in `rec.attempts` when it is sent, and throws AuditpackError
   * for what must not be retried or classified (an interruption, a body too large).
   */
  run<R>(attempt: (n: number) => Promise<AttemptOutcome<R>>, run: RetryRun): Promise<R>;
}

export interface RetryStrategyDeps {
  clock: Clock;
  log: Logger;
  /** Jitter source in [0, 1); tests pass a fixed function. */
  random?: () => number;
}

export function createRetryStrategy(policyIn: Partial<RetryPolicy> | undefined, deps: RetryStrategyDeps): RetryStrategy {
  const policy = resolveRetryPolicy(policyIn);
  const budget: RetryBudget = createRetryBudget(policy.budget);
  const random = deps.random ?? Math.random;
  const { clock, log } = deps;

  return {
    policy,
    async run(attempt, { what, signal, rec }) {
      let retried = false;
      for (let n = 1; ; n++) {
        if (signal?.aborted) throw interrupted(what, signal, undefined);
        const out = await attempt(n);
        if (out.ok) {
          budget.onSuccess(retried);
          return out.value;
        }
        const failure = out.failure;
        if (failure.throttle) rec.throttles++;
        if (!failure.retryable || n >= policy.maxAttempts) throw finalError(failure, n);
        if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxRetryAfterMs) {
          throw new AuditpackError(
            failure.code,
            `${failure.message}; the server asks to wait ${Math.ceil(failure.retryAfterMs / 1000)} s before retrying, more than the ${Math.ceil(policy.maxRetryAfterMs / 1000)} s allowed`,
            { hint: 'run again later, or raise retry.maxRetryAfterMs for this source', status: failure.status, cause: failure.cause, details: { attempts: n, retryAfterMs: failure.retryAfterMs } },
          );
        }
        if (!budget.tryTake()) {
          throw new AuditpackError('RETRY_BUDGET_EXHAUSTED', `${what}: too many failures, retry budget of this source used up (last: ${failure.message})`, {
            hint: 'the source is failing repeatedly; check its status and run again later',
            status: failure.status,
            cause: finalError(failure, n),
            details: { attempts: n },
          });
        }
        const wait = failure.retryAfterMs ?? backoffDelay(n, policy, random);
        rec.retries++;
        rec.retryWaitMs += wait;
        log.debug(`${failure.message}; retry ${n}/${policy.maxAttempts - 1} in ${wait} ms`);
        try {
          await clock.sleep(wait, signal);
        } catch (e) {
          throw interrupted(what, signal, e);
        }
        retried = true;
      }
    },
  };
}

/** The caller's signal ended the call: an interruption, resumable. */
export function interrupted(what: string, signal: AbortSignal | undefined, cause: unknown): AuditpackError {
  return new AuditpackError('ABORTED', `${what}: interrupted`, {
    cause: signal?.reason ?? cause,
    hint: 'run the same command again to resume: the windows already pulled are kept',
  });
}

function finalError(f: AttemptFailure, attempts: number): AuditpackError {
  const message = attempts > 1 ? `${f.message} (after ${attempts} attempts)` : f.message;
  return new AuditpackError(f.code, message, { hint: f.hint, status: f.status, cause: f.cause, details: { attempts } });
}
