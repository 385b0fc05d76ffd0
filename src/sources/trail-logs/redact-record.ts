/**
 * Trail Logs records carry the full request and response of each call, headers and bodies
 * included (request{headers, query, body, originalUrl}, response{headers, body}: https://vidos.id/docs/reference/management/trail).
 * Those hold other people's credentials: bearer tokens, cookies, API keys. They are removed here,
 * before a page leaves the source, so nothing downstream (archive, pack, logs) ever sees them.
 */
export const REDACTED = '[REDACTED]';

/** Header, query-parameter and body-field names whose values are credentials. */
const SENSITIVE_NAME =
  /(auth|cookie|token|secret|passw(or)?d|passphrase|api[-_]?key|private[-_]?key|access[-_]?key|session|signature|credential|^key$|^sig$|^code$)/i;

/** Credentials recognisable by their value, wherever they appear. */
const VALUE_PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic|Digest|Token)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
];

function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

/**
 * Redacts one record in place; returns how many values were replaced. Only the transported parts
 * are scanned: `request.auth` (auth method and PUBLIC key) is the requester identity and is kept.
 */
export function redactTrailRecord(record: unknown): number {
  if (!isObject(record)) return 0;
  const counter = { n: 0 };
  const request = record.request;
  if (isObject(request)) {
    for (const key of ['headers', 'query'] as const) {
      if (isObject(request[key])) redactFields(request[key], counter);
    }
    if ('body' in request) request.body = redactBody(request.body, counter);
    if (typeof request.originalUrl === 'string') request.originalUrl = redactUrl(request.originalUrl, counter);
    if (typeof request.path === 'string') request.path = redactUrl(request.path, counter);
  }
  const response = record.response;
  if (isObject(response)) {
    if (isObject(response.headers)) redactFields(response.headers, counter);
    if ('body' in response) response.body = redactBody(response.body, counter);
  }
  return counter.n;
}

interface Counter {
  n: number;
}

function redactFields(obj: Record<string, unknown>, counter: Counter): void {
  for (const [name, value] of Object.entries(obj)) {
    if (value === null || value === undefined || value === REDACTED) continue;
    if (isSensitiveName(name)) {
      obj[name] = REDACTED;
      counter.n++;
    } else {
      obj[name] = redactValue(value, counter);
    }
  }
}

/** A URL or path with a query or fragment (Referer, Location, a callback field): its parameters are scanned by name. */
const URL_WITH_PARAMS = /^([a-z][a-z0-9+.-]*:\/\/|\/)[^\s]*[?#]/i;

function redactValue(value: unknown, counter: Counter): unknown {
  if (typeof value === 'string') return URL_WITH_PARAMS.test(value) ? redactUrl(value, counter) : redactString(value, counter);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, counter));
  if (isObject(value)) {
    redactFields(value, counter);
    return value;
  }
  return value;
}

function redactBody(body: unknown, counter: Counter): unknown {
  if (typeof body !== 'string') return redactValue(body, counter);
  const t = body.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(t);
      const before = counter.n;
      const redacted = redactValue(parsed, counter);
      return counter.n === before ? body : JSON.stringify(redacted);
    } catch {
      // Not JSON after all: fall through to the text patterns.
    }
  }
  return redactString(redactFormPairs(body, counter), counter);
}

function redactString(s: string, counter: Counter): string {
  let out = s;
  for (const [re, replacement] of VALUE_PATTERNS) {
    out = out.replace(re, (...args: unknown[]) => {
      counter.n++;
      return replacement.replace('$1', String(args[1] ?? ''));
    });
  }
  return out;
}

/** Query and fragment are both scanned: OAuth's implicit flow puts `access_token` after the `#`. */
function redactUrl(url: string, counter: Counter): string {
  const q = url.search(/[?#]/);
  if (q < 0) return redactString(url, counter);
  const params = url
    .slice(q + 1)
    .split(/([?#])/)
    .map((part, i) => (i % 2 === 1 ? part : redactFormPairs(part, counter)))
    .join('');
  return redactString(url.slice(0, q + 1) + params, counter);
}

/** `a=1&api_key=xyz` → `a=1&api_key=[REDACTED]` (query strings and form bodies). */
function redactFormPairs(s: string, counter: Counter): string {
  return s.replace(/(^|[&;])([^=&;#\s]+)=([^&;#\s]*)/g, (whole, sep: string, name: string, value: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // keep the raw name
    }
    if (!value || value === REDACTED || !isSensitiveName(decoded)) return whole;
    counter.n++;
    return `${sep}${name}=${REDACTED}`;
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
