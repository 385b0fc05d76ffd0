import { Agent, util as undiciUtil, type Dispatcher } from 'undici';
import { AuditpackError, isAuditpackError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { classifyStatus, classifyTransportError, describeTarget, type AttemptFailure, type Target } from './classify.js';
import { createSemaphore } from './concurrency.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';
import { parseRetryAfter } from './retry.js';
import { createRetryStrategy, interrupted } from './retry-strategy.js';
import type { AttemptRecorder, HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from './types.js';
import { defaultUserAgent } from './user-agent.js';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUTS } from './defaults.js';
import { DeadlinePassed, deadlineFailure, startDeadline } from './deadline.js';

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
  const retry = createRetryStrategy(options.retry, deps);
  const { clock } = deps;
  const userAgent = options.userAgent ?? defaultUserAgent();
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const agent = new Agent({
    // Requests in flight are capped by `slots` below; the pool gets twice as many sockets. With
    // exactly as many, a window's next request, sent as soon as its page is parsed, often found
    // the socket of that page's response not yet marked free and queued until the pool's next
    // turn: a bare client paging the SMAPI emulator four windows at a time took 1.17-1.21× the
    // network floor with 4 sockets, 1.13-1.15× with 8 (bench/smapi-pull.ts's windows, 5 runs each).
    connections: concurrency * 2,
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
        const res = await exchange(agent, url, { method: req.method, headers: { 'user-agent': userAgent, ...lowerKeys(req.headers) }, body: req.body }, deadline.signal, maxBytes, t);
        return { status: res.status, headers: res.headers, text: res.bytes.toString('utf8'), bytes: res.bytes };
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
    return retry.run<R>(
      async () => {
        try {
          const res = await attemptOnce(req, url, t, rec);
          if ((res.status >= 200 && res.status < 300) || pass.includes(res.status)) return read(res);
          return {
            ok: false,
            failure: classifyStatus(res.status, res.text, t, {
              retryStatuses: retry.policy.retryStatuses,
              retryAfterMs: parseRetryAfter(res.headers['retry-after'], clock.now()),
            }),
          };
        } catch (e) {
          if (req.signal?.aborted) throw interrupted(t.what, req.signal, e);
          if (isAuditpackError(e)) throw e;
          return { ok: false, failure: e instanceof DeadlinePassed ? deadlineFailure(e, t) : classifyTransportError(e, t) };
        }
      },
      { what: t.what, signal: req.signal, rec },
    );
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
        if (res.status === 204 && res.text.trim() === '') return { ok: true, value: { status: res.status, headers: res.headers, body: null as T, bytes: res.bytes } };
        try {
          return { ok: true, value: { status: res.status, headers: res.headers, body: JSON.parse(res.text) as T, bytes: res.bytes } };
        } catch (e) {
          if (passed) return { ok: true, value: { status: res.status, headers: res.headers, body: null as T, bytes: res.bytes } };
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

/**
 * One request through the agent, its body collected as it arrives and refused past `maxBytes` (a
 * declared Content-Length at once, otherwise as soon as the bytes read pass it: a response that
 * large is not a page, and holding it would exhaust memory before anything could say so). A
 * dispatch handler, not undici's request(): its body stream, async iterator and per-request
 * resources cost the main thread ~0.1 ms a page, between a response and the next request
 * (bench/smapi-pull.ts). Errors are undici's, as request() gives them; an abort rejects with the
 * signal's reason.
 */
function exchange(
  agent: Agent, url: URL, req: { method: string; headers: Record<string, string>; body: string | undefined }, signal: AbortSignal, maxBytes: number, t: Target,
): Promise<{ status: number; headers: Record<string, string>; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let abort: ((reason: Error) => void) | null = null;
    let abortedEarly: Error | null = null;
    const onAbort = () => {
      const reason = signal.reason as Error;
      if (abort) abort(reason);
      else abortedEarly = reason;
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let status = 0;
    let headers: Record<string, string> = {};
    const handler: Dispatcher.DispatchHandler = {
      onConnect(a) {
        if (abortedEarly) a(abortedEarly);
        else abort = a;
      },
      onHeaders(statusCode, rawHeaders) {
        // 1xx: informational, the response follows.
        if (statusCode < 200) return true;
        status = statusCode;
        headers = flattenHeaders(undiciUtil.parseHeaders(rawHeaders) as Record<string, string | string[] | undefined>);
        const declared = Number(headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          abort?.(tooLarge(t, maxBytes, `${declared} bytes declared`));
          return false;
        }
        return true;
      },
      onData(chunk) {
        size += chunk.length;
        if (size > maxBytes) {
          abort?.(tooLarge(t, maxBytes, `more than ${maxBytes} bytes received`));
          return false;
        }
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        signal.removeEventListener('abort', onAbort);
        resolve({ status, headers, bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) });
      },
      onError(err) {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    };
    agent.dispatch({ origin: url.origin, path: `${url.pathname}${url.search}`, method: req.method as Dispatcher.HttpMethod, headers: req.headers, body: req.body }, handler);
  });
}

function tooLarge(t: Target, maxBytes: number, what: string): AuditpackError {
  return new AuditpackError('RESPONSE_TOO_LARGE', `${t.what}: the response body is larger than the ${mib(maxBytes)} allowed (${what})`, {
    hint: 'the endpoint may not be the expected API; if it is, raise maxResponseBytes for this source',
  });
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MiB` : `${bytes} bytes`;
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
