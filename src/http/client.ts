import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { AuditpackError, isAuditpackError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { classifyStatus, classifyTransportError, describeTarget, type AttemptFailure, type Target } from './classify.js';
import { createSemaphore } from './concurrency.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';
import { backoffDelay, createRetryBudget, parseRetryAfter, resolveRetryPolicy } from './retry.js';
import type { AttemptRecorder, HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from './types.js';
import { defaultUserAgent } from './user-agent.js';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUTS } from './defaults.js';


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
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUTS.requestTimeoutMs;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
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

  /**
   * One attempt on the wire: waits for a slot and a rate token, then sends and reads the whole body
   * within the request deadline (which starts once the request leaves, not while it queues).
   */
  async function attemptOnce(req: HttpRequest, url: URL, t: Target, rec: AttemptRecorder): Promise<HttpResponse> {
    const release = await slots.acquire(req.signal);
    try {
      if (limiter) await limiter.take(req.signal);
      rec.attempts++;
      const deadline = startDeadline(requestTimeoutMs, req.signal);
      try {
        const res = await undiciRequest(url, {
          method: req.method,
          headers: { 'user-agent': userAgent, ...lowerKeys(req.headers) },
          body: req.body,
          signal: deadline.signal,
          dispatcher: agent,
        });
        const text = await readBody(res, maxBytes, t);
        return { status: res.statusCode, headers: flattenHeaders(res.headers), text };
      } catch (e) {
        if (deadline.expired()) throw new DeadlinePassed(requestTimeoutMs, e);
        throw e;
      } finally {
        deadline.clear();
      }
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
        const res = await attemptOnce(req, url, t, rec);
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
        if (isAuditpackError(e)) throw e;
        failure = e instanceof DeadlinePassed ? deadlineFailure(e, t) : classifyTransportError(e, t);
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

/** The request deadline of one attempt passed (the caller's own signal did not abort). */
class DeadlinePassed extends Error {
  constructor(
    readonly ms: number,
    cause: unknown,
  ) {
    super(`request deadline of ${ms} ms passed`, { cause });
    this.name = 'DeadlinePassed';
  }
}

function deadlineFailure(e: DeadlinePassed, t: Target): AttemptFailure {
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
function startDeadline(ms: number, parent: AbortSignal | undefined): { signal: AbortSignal; expired(): boolean; clear(): void } {
  const own = new AbortController();
  const timer = setTimeout(() => own.abort(new Error(`request deadline of ${ms} ms passed`)), ms);
  timer.unref?.();
  return {
    signal: parent ? AbortSignal.any([parent, own.signal]) : own.signal,
    expired: () => own.signal.aborted && !parent?.aborted,
    clear: () => clearTimeout(timer),
  };
}

/**
 * The body as text, refusing it past `maxBytes` (a declared Content-Length at once, otherwise as
 * soon as the bytes read pass it): a response that large is not a page, and holding it would
 * exhaust memory before anything could say so.
 */
async function readBody(res: Dispatcher.ResponseData, maxBytes: number, t: Target): Promise<string> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    // Nobody reads the body any more: its abort error has no one else to go to.
    res.body.on('error', () => undefined);
    res.body.destroy();
    throw tooLarge(t, maxBytes, `${declared} bytes declared`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.body.on('error', () => undefined);
      res.body.destroy();
      throw tooLarge(t, maxBytes, `more than ${maxBytes} bytes received`);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
}

function tooLarge(t: Target, maxBytes: number, what: string): AuditpackError {
  return new AuditpackError('RESPONSE_TOO_LARGE', `${t.what}: the response body is larger than the ${mib(maxBytes)} allowed (${what})`, {
    hint: 'the endpoint may not be the expected API; if it is, raise maxResponseBytes for this source',
  });
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MiB` : `${bytes} bytes`;
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`;
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
