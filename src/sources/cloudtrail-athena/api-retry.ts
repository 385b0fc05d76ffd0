import { AuditpackError, type ErrorCode } from '../../errors.js';
import { classifyTransportError, describeTarget, errorCodeOf, type AttemptFailure } from '../../http/classify.js';
import { backoffDelay, createRetryBudget, type RetryBudget } from '../../http/retry.js';
import type { AttemptRecorder } from '../../http/types.js';
import type { Clock } from '../../util/clock.js';

/**
 * How one Athena API call is retried. Pluggable: the query runner takes any implementation, so
 * the run can share one strategy (and budget) across every AWS client it uses.
 */
export interface ApiCallRetry {
  /** Runs `call` until it succeeds, a failure is final, or the signal aborts; counts into `rec`. */
  run<T>(what: string, call: () => Promise<T>, ctx: { signal: AbortSignal; rec: AttemptRecorder }): Promise<T>;
}

export interface ApiRetrySettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Retry tokens shared by every call through this strategy (src/http/retry.ts). */
  budget: number;
}

export const DEFAULT_API_RETRY: ApiRetrySettings = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 20_000, budget: 100 };

interface SdkErrorShape {
  name?: string;
  message?: string;
  Message?: string;
  Reason?: string;
  AthenaErrorCode?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Athena's throttling answer, plus the names the AWS SDKs treat as throttling. */
const THROTTLE_NAMES = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'RequestLimitExceeded', 'SlowDown']);
const AUTH_NAMES = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'AccessDeniedException',
  'CredentialsProviderError',
]);

/**
 * Classifies an error of an Athena API call: TooManyRequestsException (a rate or the active-query
 * quota, https://docs.aws.amazon.com/athena/latest/ug/service-limits.html) and
 * InternalServerException/5xx are retried; InvalidRequestException is final (the request is wrong);
 * credentials errors stop the run.
 */
export function classifyAthenaError(e: unknown, what: string, endpoint: string): AttemptFailure {
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkErrorShape;
  const name = err.name ?? 'Error';
  const status = err.$metadata?.httpStatusCode;
  const said = (err.Message ?? err.message ?? '').replace(/\s+/g, ' ').slice(0, 300);
  const detail = `${name}${said ? `: ${said}` : ''}`;
  if (THROTTLE_NAMES.has(name) || status === 429) {
    return {
      code: 'HTTP_STATUS',
      message: `${what}: throttled (${detail})`,
      hint: err.Reason === 'CONCURRENT_QUERY_LIMIT_EXCEEDED' ? 'too many queries running at once in the account; lower concurrency' : 'Athena API rate exceeded; lower concurrency',
      status,
      retryable: true,
      throttle: true,
      cause: e,
    };
  }
  if (AUTH_NAMES.has(name) || status === 401 || status === 403) {
    return {
      code: 'AUTH_REFUSED',
      message: `${what}: AWS refused the credentials (${detail})`,
      hint: 'the principal needs athena:StartQueryExecution, GetQueryExecution, GetQueryResults, StopQueryExecution, Glue read access to the table, and S3 access to the trail and result buckets',
      status,
      retryable: false,
      throttle: false,
      cause: e,
    };
  }
  if (name === 'InternalServerException' || (status !== undefined && status >= 500)) {
    return { code: 'HTTP_STATUS', message: `${what}: ${detail} (HTTP ${status ?? '?'})`, status, retryable: true, throttle: false, cause: e };
  }
  if (status !== undefined && status >= 400) {
    return { code: 'HTTP_STATUS', message: `${what}: Athena refused the request (${detail})`, status, retryable: false, throttle: false, cause: e };
  }
  if (errorCodeOf(e) !== undefined) return classifyTransportError(e, describeTarget('POST', new URL(endpoint), what));
  if (name === 'SyntaxError' || /deserializ|JSON|Unexpected end|socket hang up/i.test(said)) {
    return { code: 'HTTP_BAD_BODY', message: `${what}: unreadable response (${said || name})`, status, retryable: true, throttle: false, cause: e };
  }
  return { code: 'HTTP_NETWORK', message: `${what}: request failed (${detail})`, retryable: false, throttle: false, cause: e };
}

/**
 * The project's retry shape for AWS SDK calls (the SDK itself runs with maxAttempts 1): full-jitter
 * backoff and a shared retry budget from src/http/retry.ts, every attempt counted.
 */
export function createApiRetry(
  settings: ApiRetrySettings,
  deps: { clock: Clock; endpoint: string; random?: () => number; budget?: RetryBudget },
): ApiCallRetry {
  const budget = deps.budget ?? createRetryBudget(settings.budget);
  const random = deps.random ?? Math.random;
  return {
    async run(what, call, { signal, rec }) {
      for (let attempt = 1; ; attempt++) {
        signal.throwIfAborted();
        rec.attempts++;
        try {
          const out = await call();
          budget.onSuccess(attempt > 1);
          return out;
        } catch (e) {
          if (signal.aborted) throw new AuditpackError('ABORTED', 'interrupted', { cause: e });
          const failure = classifyAthenaError(e, what, deps.endpoint);
          if (failure.throttle) rec.throttles++;
          const exhausted = attempt >= settings.maxAttempts;
          if (!failure.retryable || exhausted || !budget.tryTake()) {
            const tail = attempt > 1 ? ` (after ${attempt} attempts)` : '';
            const code: ErrorCode = failure.retryable && !exhausted ? 'RETRY_BUDGET_EXHAUSTED' : failure.code;
            throw new AuditpackError(code, `${failure.message}${tail}`, { cause: failure.cause, hint: failure.hint, status: failure.status });
          }
          const wait = backoffDelay(attempt, settings, random);
          rec.retries++;
          rec.retryWaitMs += wait;
          await deps.clock.sleep(wait, signal);
        }
      }
    },
  };
}
