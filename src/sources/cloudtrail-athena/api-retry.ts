import { classifyAwsSdkError, type AwsApiWords } from '../../http/aws-error-class.js';
import { describeTarget, type AttemptFailure } from '../../http/classify.js';
import { createRetryStrategy, interrupted } from '../../http/retry-strategy.js';
import type { AttemptRecorder } from '../../http/types.js';
import type { Clock } from '../../util/clock.js';
import { silentLogger, type Logger } from '../../util/logger.js';

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

/**
 * Athena's errors in the shared AWS classes (src/http/aws-error-class.ts): TooManyRequestsException
 * is a rate or the active-query quota (https://docs.aws.amazon.com/athena/latest/ug/service-limits.html,
 * Reason CONCURRENT_QUERY_LIMIT_EXCEEDED for the latter), InternalServerException is retried,
 * InvalidRequestException is final.
 */
const ATHENA_WORDS: AwsApiWords = {
  service: 'Athena',
  throttleHint: (e) =>
    (e as { Reason?: string } | null)?.Reason === 'CONCURRENT_QUERY_LIMIT_EXCEEDED'
      ? 'too many queries running at once in the account; lower concurrency'
      : 'Athena API rate exceeded; lower concurrency',
  authHint:
    'the principal needs athena:StartQueryExecution, GetQueryExecution, GetQueryResults, StopQueryExecution, Glue read access to the table, and S3 access to the trail and result buckets',
};

export function classifyAthenaError(e: unknown, what: string, endpoint: string, now = Date.now()): AttemptFailure {
  return classifyAwsSdkError(e, describeTarget('POST', new URL(endpoint), what), now, ATHENA_WORDS);
}

/**
 * Athena SDK calls (the SDK runs with maxAttempts 1) under the project's one retry strategy
 * (src/http/retry-strategy.ts, the one the HTTP client and CloudTrail LookupEvents use): the same
 * full-jitter backoff, Retry-After, shared retry budget and ledger counts. This adapter only
 * counts each attempt and classifies its failure.
 */
export function createApiRetry(settings: ApiRetrySettings, deps: { clock: Clock; endpoint: string; log?: Logger; random?: () => number }): ApiCallRetry {
  const strategy = createRetryStrategy(
    { maxAttempts: settings.maxAttempts, baseDelayMs: settings.baseDelayMs, maxDelayMs: settings.maxDelayMs, budget: settings.budget },
    { clock: deps.clock, log: deps.log ?? silentLogger, ...(deps.random ? { random: deps.random } : {}) },
  );
  return {
    run(what, call, { signal, rec }) {
      return strategy.run(
        async () => {
          rec.attempts++;
          try {
            return { ok: true, value: await call() };
          } catch (e) {
            if (signal.aborted) throw interrupted(what, signal, e);
            return { ok: false, failure: classifyAthenaError(e, what, deps.endpoint, deps.clock.now()) };
          }
        },
        { what, signal, rec },
      );
    },
  };
}
