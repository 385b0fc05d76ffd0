import type { RetryPolicy } from './types.js';

const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  retryStatuses: [429, 500, 502, 503, 504],
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  budget: 100,
};

export function resolveRetryPolicy(p: Partial<RetryPolicy> = {}): RetryPolicy {
  const merged = { ...DEFAULT_RETRY_POLICY };
  for (const [k, v] of Object.entries(p) as [keyof RetryPolicy, RetryPolicy[keyof RetryPolicy] | undefined][]) {
    if (v !== undefined) (merged as Record<keyof RetryPolicy, unknown>)[k] = v;
  }
  return { ...merged, maxAttempts: Math.max(1, Math.floor(merged.maxAttempts)) };
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a uniform wait in [0, min(maxDelay, base * 2^(retry-1))). `retry` counts from 1.
 */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(Math.max(0, Math.min(1, random())) * ceiling);
}

/**
 * Retry-After as milliseconds from `now`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Undefined when absent or unparseable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Retry tokens shared by all requests of one client, as in aws-sdk-js-v3's standard retry strategy:
 * a retry costs one token; a success gives back the cost of its last retry if it needed one,
 * otherwise a fifth of a token (the SDK's 5:1 ratio of RETRY_COST to NO_RETRY_INCREMENT), never
 * above the initial budget. Retries that keep succeeding never drain it; a source that keeps failing does.
 */
export interface RetryBudget {
  /** Takes one token; false when the budget is empty. */
  tryTake(): boolean;
  onSuccess(retried: boolean): void;
  available(): number;
}

export function createRetryBudget(initial: number): RetryBudget {
  let tokens = Math.max(0, initial);
  return {
    tryTake() {
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    onSuccess(retried) {
      tokens = Math.min(initial, tokens + (retried ? 1 : 0.2));
    },
    available: () => tokens,
  };
}
