import { Agent, request as undiciRequest } from 'undici';
import { AuditpackError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { classifyStatus, classifyTransportError, describeTarget, type AttemptFailure, type Target } from './classify.js';
import { createSemaphore } from './concurrency.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';
import { backoffDelay, createRetryBudget, parseRetryAfter, resolveRetryPolicy } from './retry.js';
import type { AttemptRecorder, HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from './types.js';
import { defaultUserAgent } from './user-agent.js';

const DEFAULT_TIMEOUTS = { connectTimeoutMs: 10_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 60_000 } as const;
const DEFAULT_CONCURRENCY = 4;

export interface HttpClientDeps {
  clock: Clock;
  log: Logger;
  /** Jitter source in [0, 1); tests pass a fixed function. Default Math.random. */
  random?: () => number;
}

type Read<R> = (res: HttpResponse) => { ok: true; value: R } | { ok: false; failure: AttemptFailure };

/**
 * One client per source: its own connection pool (undici Agent, keep-alive), concurrency limit,
 * optional token-bucket rate limit and retry budget.
 */
export function createHttpClient(options: HttpClientOptions, deps: HttpClientDeps): HttpClient {
  const policy = resolveRetryPolicy(options.retry);
  const budget = createRetryBudget(policy.budget);
  const random = deps.random ?? Math.random;
  const { clock, log } = deps;
  const userAgent = options.userAgent ?? defaultUserAgent();
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const agent = new Agent({
    // Never more sockets per origin than requests we allow in flight: undici's pool otherwise opens
    // a new socket when the previous one has not yet been marked free after its response.
    connections: concurrency,
    connect: { timeout: options.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectTimeoutMs },
    headersTimeout: options.headersTimeoutMs ?? DEFAULT_TIMEOUTS.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs ?? DEFAULT_TIMEOUTS.bodyTimeoutMs,
  });
  const slots = createSemaphore(concurrency);
  const limiter: RateLimiter | undefined =
    options.requestsPerSecond !== undefined ? createRateLimiter({ ratePerSecond: options.requestsPerSecond, burst: 1, clock }) : undefined;
  let closing: Promise<void> | undefined;

  function aborted(t: Target, signal: AbortSignal | undefined, cause: unknown): AuditpackError {
    return new AuditpackError('ABORTED', `${t.what}: interrupted`, {
      cause: signal?.reason ?? cause,
      hint: 'run the same command again to resume: the windows already pulled are kept',
    });
  }

  /** One attempt on the wire: waits for a slot and a rate token, then sends and reads the whole body. */
  async function attemptOnce(req: HttpRequest, url: URL, rec: AttemptRecorder): Promise<HttpResponse> {
    const release = await slots.acquire(req.signal);
    try {
      if (limiter) await limiter.take(req.signal);
      rec.attempts++;
      const res = await undiciRequest(url, {
        method: req.method,
        headers: { 'user-agent': userAgent, ...lowerKeys(req.headers) },
        body: req.body,
        signal: req.signal,
        dispatcher: agent,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: flattenHeaders(res.headers), text };
    } finally {
      release();
    }
  }

  async function send<R>(req: HttpRequest, rec: AttemptRecorder, read: Read<R>): Promise<R> {
    const url = typeof req.url === 'string' ? new URL(req.url) : req.url;
    const t = describeTarget(req.method, url, req.label);
    const pass = req.passStatuses ?? [];
    let retried = false;
    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted) throw aborted(t, req.signal, undefined);
      let failure: AttemptFailure;
      try {
        const res = await attemptOnce(req, url, rec);
        if ((res.status >= 200 && res.status < 300) || pass.includes(res.status)) {
          const out = read(res);
          if (out.ok) {
            budget.onSuccess(retried);
            return out.value;
          }
          failure = out.failure;
        } else {
          failure = classifyStatus(res.status, res.text, t, {
            retryStatuses: policy.retryStatuses,
            retryAfterMs: parseRetryAfter(res.headers['retry-after'], clock.now()),
          });
        }
      } catch (e) {
        if (req.signal?.aborted) throw aborted(t, req.signal, e);
        failure = classifyTransportError(e, t);
      }
      if (failure.throttle) rec.throttles++;
      if (!failure.retryable) throw toError(failure, attempt);
      if (attempt >= policy.maxAttempts) throw toError(failure, attempt);
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxRetryAfterMs) {
        throw new AuditpackError(
          failure.code,
          `${failure.message}; the server asks to wait ${Math.ceil(failure.retryAfterMs / 1000)} s before retrying, more than the ${Math.ceil(policy.maxRetryAfterMs / 1000)} s allowed`,
          { hint: 'run again later, or raise retry.maxRetryAfterMs for this source', status: failure.status, cause: failure.cause, details: { attempts: attempt, retryAfterMs: failure.retryAfterMs } },
        );
      }
      if (!budget.tryTake()) {
        throw new AuditpackError('RETRY_BUDGET_EXHAUSTED', `${t.what}: too many failures, retry budget of this source used up (last: ${failure.message})`, {
          hint: 'the source is failing repeatedly; check its status and run again later',
          status: failure.status,
          cause: toError(failure, attempt),
          details: { attempts: attempt },
        });
      }
      const wait = failure.retryAfterMs ?? backoffDelay(attempt, policy, random);
      rec.retries++;
      rec.retryWaitMs += wait;
      log.debug(`${failure.message}; retry ${attempt}/${policy.maxAttempts - 1} in ${wait} ms`);
      try {
        await clock.sleep(wait, req.signal);
      } catch (e) {
        throw aborted(t, req.signal, e);
      }
      retried = true;
    }
  }

  return {
    request(req, rec) {
      return send(req, rec, (res) => ({ ok: true, value: res }));
    },
    json<T>(req: HttpRequest, rec: AttemptRecorder) {
      const headers = { accept: 'application/json', ...lowerKeys(req.headers) };
      const url = typeof req.url === 'string' ? new URL(req.url) : req.url;
      const t = describeTarget(req.method, url, req.label);
      const pass = req.passStatuses ?? [];
      return send({ ...req, headers }, rec, (res) => {
        const passed = pass.includes(res.status);
        // 204 and passed statuses may carry no JSON at all (e.g. a 202 "not ready"): the caller gets
        // null and decides from the status.
        if (res.status === 204 && res.text.trim() === '') return { ok: true, value: { status: res.status, headers: res.headers, body: null as T } };
        try {
          return { ok: true, value: { status: res.status, headers: res.headers, body: JSON.parse(res.text) as T } };
        } catch (e) {
          if (passed) return { ok: true, value: { status: res.status, headers: res.headers, body: null as T } };
          // A 2xx body that does not parse is most often cut short in transit: retried like a 5xx.
          return {
            ok: false,
            failure: {
              code: 'HTTP_BAD_BODY',
              message: `${t.what}: response body is not valid JSON (${res.text.length} characters received)`,
              hint: 'the response was cut short or the endpoint is not the expected API; check the endpoint setting',
              status: res.status,
              cause: e,
              retryable: true,
              throttle: false,
            },
          };
        }
      });
    },
    close() {
      closing ??= agent.close();
      return closing;
    },
  };
}

function toError(f: AttemptFailure, attempts: number): AuditpackError {
  const message = attempts > 1 ? `${f.message} (after ${attempts} attempts)` : f.message;
  return new AuditpackError(f.code, message, { hint: f.hint, status: f.status, cause: f.cause, details: { attempts } });
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Header names are case-insensitive; lower-casing lets the caller's `User-Agent` replace the default. */
function lowerKeys(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = v;
  return out;
}
