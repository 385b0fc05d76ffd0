import type { WindowStats } from '../model/coverage.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface HttpRequest {
  method: HttpMethod;
  url: string | URL;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /**
   * Statuses the caller handles itself: returned as a response instead of thrown or retried
   * (e.g. 202 "not ready" for Trail Logs, 400/401 where the source inspects the body).
   */
  passStatuses?: readonly number[];
  /** Human label for errors and logs ("SMAPI query page 3"); never contains secrets. */
  label?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** The whole body as text. */
  text: string;
  /** The whole body as received (UTF-8): what `text` decodes, for a caller that locates records in it. */
  bytes: Buffer;
}

/** What the retry loop counts; WindowStats satisfies it, so sources pass their window's stats. */
export type AttemptRecorder = Pick<WindowStats, 'attempts' | 'retries' | 'throttles' | 'retryWaitMs'>;

export interface RetryPolicy {
  /** Attempts per request, including the first. */
  maxAttempts: number;
  /** Statuses retried (429 is also counted as a throttle). */
  retryStatuses: readonly number[];
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this fails the request rather than stalling the run. */
  maxRetryAfterMs: number;
  /**
   * Retry tokens shared by all requests of one client (one source): each retry costs one, each
   * success returns a fraction. When empty, errors are no longer retried (aws-sdk-js-v3 style).
   */
  budget: number;
}

export interface HttpClientOptions {
  retry?: Partial<RetryPolicy>;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /**
   * Total time one attempt may take from sending to the last byte of the body. The timeouts above
   * are idle timeouts, reset by every byte: a server sending one byte every few seconds never
   * trips them, this deadline does.
   */
  requestTimeoutMs?: number;
  /** Largest response body read (bytes); a larger one fails the request (RESPONSE_TOO_LARGE), unretried. */
  maxResponseBytes?: number;
  /** At most this many requests in flight. */
  concurrency?: number;
  /** Token-bucket rate limit, requests per second (undefined: unlimited). */
  requestsPerSecond?: number;
  userAgent?: string;
}

export interface HttpClient {
  /**
   * Sends the request with retries. Resolves with 2xx responses and `passStatuses`; throws
   * AuditpackError HTTP_STATUS (with `.status`), HTTP_TIMEOUT (an idle timeout or the request
   * deadline), HTTP_NETWORK, RESPONSE_TOO_LARGE, SOURCE_UNREACHABLE (connection refused / DNS
   * failure after retries) or RETRY_BUDGET_EXHAUSTED.
   */
  request(req: HttpRequest, rec: AttemptRecorder): Promise<HttpResponse>;
  /** request() then JSON.parse; a body that does not parse (truncated) is retried like a 5xx. */
  json<T>(req: HttpRequest, rec: AttemptRecorder): Promise<{ status: number; headers: Record<string, string>; body: T; bytes: Buffer }>;
  close(): Promise<void>;
}
