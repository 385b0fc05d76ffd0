import type { ErrorCode } from '../errors.js';

/** A failed attempt, before the retry loop decides whether it is final. */
export interface AttemptFailure {
  code: ErrorCode;
  message: string;
  hint?: string;
  status?: number;
  cause?: unknown;
  retryable: boolean;
  /** Counted into AttemptRecorder.throttles. */
  throttle: boolean;
  /** Milliseconds the server asked to wait (Retry-After), when it said. */
  retryAfterMs?: number;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_INFO',
]);

/** The system/undici error code of `e`, looking into AggregateError (happy eyeballs) and `cause`. */
export function errorCodeOf(e: unknown, depth = 0): string | undefined {
  if (typeof e !== 'object' || e === null || depth > 4) return undefined;
  const rec = e as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof rec.code === 'string' && rec.code !== 'UND_ERR') return rec.code;
  if (Array.isArray(rec.errors)) {
    for (const inner of rec.errors) {
      const c = errorCodeOf(inner, depth + 1);
      if (c) return c;
    }
  }
  return errorCodeOf(rec.cause, depth + 1);
}

export interface Target {
  /** "SMAPI query page 3" or "POST api.example.com/v1/x"; never has secrets or query strings. */
  what: string;
  url: URL;
}

export function describeTarget(method: string, url: URL, label?: string): Target {
  return { what: label ?? `${method} ${url.host}${url.pathname}`, url };
}

function hostPort(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

/** Classifies an error thrown while sending or reading (not an HTTP status). */
export function classifyTransportError(e: unknown, t: Target): AttemptFailure {
  const code = errorCodeOf(e);
  const detail = e instanceof Error ? e.message : String(e);
  if (code && TIMEOUT_CODES.has(code)) {
    const phase =
      code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connecting' : code === 'UND_ERR_HEADERS_TIMEOUT' ? 'waiting for the response' : 'reading the response body';
    return {
      code: 'HTTP_TIMEOUT',
      message: `${t.what}: timed out ${phase} (${hostPort(t.url)})`,
      hint: 'the server is slow or unreachable; retry later or raise the timeout',
      cause: e,
      retryable: true,
      throttle: false,
    };
  }
  if (code && UNREACHABLE_CODES.has(code)) {
    const why = code === 'ECONNREFUSED' ? 'connection refused' : code.startsWith('EAI') || code === 'ENOTFOUND' ? 'host name not found' : 'host unreachable';
    return {
      code: 'SOURCE_UNREACHABLE',
      message: `${t.what}: cannot reach ${hostPort(t.url)} (${why}, ${code})`,
      hint: "check the source's endpoint setting and the network",
      cause: e,
      retryable: true,
      throttle: false,
    };
  }
  if (code && NETWORK_CODES.has(code)) {
    return {
      code: 'HTTP_NETWORK',
      message: `${t.what}: connection to ${hostPort(t.url)} failed (${code}: ${detail})`,
      cause: e,
      retryable: true,
      throttle: false,
    };
  }
  // TLS failures, a closed client, invalid arguments: retrying cannot help.
  return {
    code: 'HTTP_NETWORK',
    message: `${t.what}: request to ${hostPort(t.url)} failed (${code ? `${code}: ` : ''}${detail})`,
    hint: code?.includes('CERT') || code?.startsWith('ERR_TLS') ? "check the endpoint's TLS certificate" : undefined,
    cause: e,
    retryable: false,
    throttle: false,
  };
}

/** Classifies a response whose status is neither 2xx nor passed to the caller. */
export function classifyStatus(
  status: number,
  bodyText: string,
  t: Target,
  opts: { retryStatuses: readonly number[]; retryAfterMs?: number },
): AttemptFailure {
  const said = shortBodyMessage(bodyText);
  const suffix = said ? `: ${said}` : '';
  if (status === 401 || status === 403) {
    return {
      code: 'AUTH_REFUSED',
      message: `${t.what}: ${status === 401 ? 'credentials refused' : 'access denied'} (HTTP ${status})${suffix}`,
      hint:
        status === 401
          ? 'check the credentials configured for this source'
          : 'check that the credentials of this source are allowed to read audit logs',
      status,
      retryable: false,
      throttle: false,
    };
  }
  const throttle = status === 429;
  return {
    code: 'HTTP_STATUS',
    message: `${t.what}: ${throttle ? 'throttled ' : ''}HTTP ${status}${suffix}`,
    hint: throttle ? 'the API rate limit was hit; retry later or lower requestsPerSecond' : undefined,
    status,
    retryable: opts.retryStatuses.includes(status),
    throttle,
    retryAfterMs: opts.retryAfterMs,
  };
}

const MAX_SAID = 300;

/**
 * The server's own words from an error body, at most 300 characters: the message fields of a JSON
 * body (`{message}`, `{error, error_description}` for OAuth, `{__type, message}` for AWS JSON), or
 * the text itself with HTML tags removed.
 */
export function shortBodyMessage(body: string): string {
  const text = body.trim();
  if (!text) return '';
  let out = '';
  try {
    out = messageFromJson(JSON.parse(text) as unknown);
  } catch {
    out = text.startsWith('<') ? text.replace(/<[^>]*>/g, ' ') : text;
  }
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_SAID ? `${out.slice(0, MAX_SAID - 1)}…` : out;
}

function messageFromJson(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v !== 'object' || v === null) return jsonText(v);
  const o = v as Record<string, unknown>;
  const str = (x: unknown): string | undefined => (typeof x === 'string' && x.trim() ? x : undefined);
  const nested = typeof o.error === 'object' && o.error !== null ? (o.error as Record<string, unknown>) : undefined;
  const firstError = Array.isArray(o.errors) && typeof o.errors[0] === 'object' && o.errors[0] !== null ? (o.errors[0] as Record<string, unknown>) : undefined;
  const kind = str(o.__type) ?? str(o.code) ?? str(o.type) ?? str(o.error) ?? str(nested?.code) ?? str(nested?.status);
  const msg =
    str(o.message) ??
    str(o.Message) ??
    str(o.error_description) ??
    str(o.errorMessage) ??
    str(o.detail) ??
    str(o.title) ??
    str(nested?.message) ??
    str(firstError?.message);
  if (kind && msg) return `${kind}: ${msg}`;
  return msg ?? kind ?? jsonText(v);
}

/** JSON text of a parsed body for a message; a body nested too deep to re-serialize says so instead. */
function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v).slice(0, MAX_SAID);
  } catch {
    return '(a JSON body too deeply nested to show)';
  }
}
