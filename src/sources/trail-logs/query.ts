import { AuditpackError } from '../../errors.js';
import type { HttpClient } from '../../http/types.js';
import type { WindowStats } from '../../model/coverage.js';
import type { Clock } from '../../util/clock.js';

/** What one query exchange needs; built per window by pull. */
export interface QueryContext {
  http: HttpClient;
  stats: WindowStats;
  clock: Clock;
  signal: AbortSignal;
  baseUrl: string;
  apiKey: string;
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  /** How long the window's queries may stay unfinished, summed over all of them. */
  queryTimeoutMs: number;
  /** Time already spent waiting on this window's earlier queries; shared by every query of one window. */
  waited: { ms: number };
  /** For messages: "window 2026-01-01T00:00Z..2026-01-02T00:00Z". */
  label: string;
}

/** Body of `POST /` (https://vidos.id/docs/reference/management/trail: from, to, method?, nextToken?). */
export interface QueryParams {
  from: string;
  to: string;
  method?: string;
  nextToken?: string;
}

export type StartOutcome = { kind: 'started'; id: string } | { kind: 'rejected'; status: number; message: string };

export type ResultOutcome =
  | { kind: 'ready'; data: unknown[]; nextToken?: string }
  | { kind: 'rejected'; status: number; message: string };

/** Statuses whose body we read ourselves instead of letting the client throw. */
const START_PASS = [400, 401, 403, 404, 409, 422] as const;
const RESULT_PASS = [202, 400, 401, 403, 404, 409, 422, 423, 425] as const;

/**
 * How "still running" may look (undocumented): a 202, a status field with no
 * data, or an error saying the query has not finished.
 */
const RUNNING_STATES = new Set(['QUEUED', 'PENDING', 'RUNNING', 'IN_PROGRESS', 'INPROGRESS', 'STARTED', 'SUBMITTED', 'PROCESSING', 'SCHEDULED', 'NOT_READY']);
const FAILED_STATES = new Set(['FAILED', 'FAILURE', 'ERROR', 'CANCELLED', 'CANCELED', 'TIMED_OUT', 'TIMEOUT', 'ABORTED']);
const DONE_STATES = new Set(['SUCCEEDED', 'SUCCESS', 'SUCCESSFUL', 'COMPLETE', 'COMPLETED', 'FINISHED', 'DONE', 'READY', 'OK', 'AVAILABLE']);
const NOT_READY_TEXT =
  /not (yet )?(finished|ready|complete(d)?|available|done)|still (running|in progress|processing|pending)|in progress|is running|is pending|\bpending\b|\bnot ?ready\b|\brunning\b/i;

function headers(apiKey: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, accept: 'application/json', 'content-type': 'application/json' };
}

/** `POST /` → queryExecutionId. A 400 is returned, not thrown: the caller knows whether a token was in it. */
export async function startQuery(q: QueryContext, params: QueryParams): Promise<StartOutcome> {
  const res = await q.http.json<unknown>(
    {
      method: 'POST',
      url: q.baseUrl,
      headers: headers(q.apiKey),
      body: JSON.stringify(params),
      signal: q.signal,
      passStatuses: START_PASS,
      label: `Trail Logs start query (${q.label})`,
    },
    q.stats,
  );
  bump(q.stats, 'queries');
  if (res.status === 401 || res.status === 403) throw authError(res.status, res.body);
  if (res.status === 404) {
    throw new AuditpackError('SOURCE_NOT_FOUND', `Trail Logs answered 404 to POST ${q.baseUrl}: ${messageOf(res.body)}`, {
      status: 404,
      hint: 'check the source endpoint/region: queries are started with POST on the API root',
    });
  }
  if (res.status >= 400) return { kind: 'rejected', status: res.status, message: messageOf(res.body) };
  const id = isObject(res.body) ? res.body.queryExecutionId : undefined;
  if (typeof id !== 'string' || id === '') {
    throw new AuditpackError('HTTP_BAD_BODY', `Trail Logs did not return a queryExecutionId (${q.label})`, {
      hint: 'the API answer changed shape; re-run, and report it if it persists',
    });
  }
  return { kind: 'started', id };
}

/**
 * Polls `GET /query-result/{id}` with growing waits until the result is ready. The waiting is
 * bounded per window: every query of the window draws on one `queryTimeoutMs` budget, so a window
 * whose pages each start a new query (the documented token style) cannot wait without end either.
 */
export async function awaitResult(q: QueryContext, id: string, nextToken?: string): Promise<ResultOutcome> {
  const url = new URL(`query-result/${encodeURIComponent(id)}`, q.baseUrl);
  if (nextToken !== undefined) url.searchParams.set('nextToken', nextToken);
  const started = q.clock.now();
  let delay = q.pollIntervalMs;
  let polls = 0;
  // Only the waiting counts against the budget: the time up to the poll that found the result ready.
  let lastPollAt = started;
  try {
    for (;;) {
      polls++;
      lastPollAt = q.clock.now();
      bump(q.stats, 'polls');
      // json(): a 2xx body cut short is retried by the client; a passed status without JSON gives null.
      const res = await q.http.json<unknown>(
        {
          method: 'GET',
          url,
          headers: headers(q.apiKey),
          signal: q.signal,
          passStatuses: RESULT_PASS,
          label: `Trail Logs query result (${q.label})`,
        },
        q.stats,
      );
      const verdict = classify(res.status, res.body, id, q.label);
      if (verdict.kind !== 'pending') return verdict;
      noteStyle(q.stats, verdict.style);
      const elapsed = q.clock.now() - started;
      const left = q.queryTimeoutMs - q.waited.ms - elapsed;
      if (left <= 0) {
        const earlier = q.waited.ms > 0 ? `; the window's earlier queries had waited ${seconds(q.waited.ms)}` : '';
        throw new AuditpackError(
          'QUERY_TIMEOUT',
          `Trail Logs query ${id} (${q.label}) was still running${verdict.state ? ` (status ${verdict.state})` : ''} after ${seconds(elapsed)} and ${polls} polls${earlier}`,
          { hint: 'raise queryTimeoutMs in the trail-logs source config (it bounds the waiting of each window), or use a smaller windowHours' },
        );
      }
      const wait = Math.min(delay, left);
      q.stats.extra.pollWaitMs = num(q.stats.extra.pollWaitMs) + wait;
      await q.clock.sleep(wait, q.signal);
      delay = Math.min(Math.ceil(delay * 1.5), q.maxPollIntervalMs);
    }
  } finally {
    q.waited.ms += lastPollAt - started;
  }
}

type Verdict =
  | { kind: 'ready'; data: unknown[]; nextToken?: string }
  | { kind: 'pending'; style: string; state?: string }
  | { kind: 'rejected'; status: number; message: string };

function classify(status: number, body: unknown, id: string, label: string): Verdict {
  if (status === 202) return { kind: 'pending', style: '202' };
  if (status === 401 || status === 403) throw authError(status, body);
  if (status === 404) {
    throw new AuditpackError('HTTP_STATUS', `Trail Logs does not know query ${id} (404: ${messageOf(body)}; ${label})`, {
      status: 404,
      hint: 're-run the window; query results may expire',
    });
  }
  if (status >= 400) {
    const message = messageOf(body);
    const type = isObject(body) && typeof body.type === 'string' ? body.type : '';
    if (status === 425 || NOT_READY_TEXT.test(`${type} ${message}`)) return { kind: 'pending', style: `error-${status}` };
    return { kind: 'rejected', status, message };
  }
  if (!isObject(body)) {
    throw new AuditpackError('HTTP_BAD_BODY', `Trail Logs sent a result for query ${id} that is not a JSON object (${label})`, {
      hint: 'the endpoint may not be the Trail Logs API; check the source endpoint',
    });
  }
  const state = stateOf(body);
  if (state && RUNNING_STATES.has(state)) return { kind: 'pending', style: 'status-field', state };
  if (state && FAILED_STATES.has(state)) {
    throw new AuditpackError('HTTP_STATUS', `Trail Logs query ${id} ended ${state} (${label}): ${messageOf(body)}`, {
      hint: 're-run the window',
    });
  }
  // A status word we do not know, with nothing in data, is waited on rather than read as an empty
  // result: taking it for "done" would lose the window's records without a trace.
  if (state && !DONE_STATES.has(state) && (!Array.isArray(body.data) || body.data.length === 0)) {
    return { kind: 'pending', style: 'status-field', state };
  }
  // The "not finished" error may also come with a 200: a body with no data that says so.
  if (!Array.isArray(body.data) && NOT_READY_TEXT.test(`${typeof body.type === 'string' ? body.type : ''} ${messageOf(body)}`)) {
    return { kind: 'pending', style: `error-${status}` };
  }
  if (!Array.isArray(body.data)) {
    throw new AuditpackError('HTTP_BAD_BODY', `Trail Logs result for query ${id} has no data array (${label})`, {
      hint: 'the API answer changed shape; report it with the keys of the answer: ' + Object.keys(body).slice(0, 8).join(', '),
    });
  }
  const token = body.nextToken;
  return typeof token === 'string' && token !== '' ? { kind: 'ready', data: body.data, nextToken: token } : { kind: 'ready', data: body.data };
}

function stateOf(v: Record<string, unknown>): string | undefined {
  for (const k of ['status', 'state', 'queryStatus', 'queryState', 'Status', 'State']) {
    const s = v[k];
    if (typeof s === 'string' && s.trim() !== '') return s.trim().toUpperCase().replace(/[\s-]+/g, '_');
  }
  return undefined;
}

function authError(status: number, body: unknown): AuditpackError {
  return new AuditpackError('AUTH_REFUSED', `Trail Logs refused the API key (HTTP ${status}: ${messageOf(body)})`, {
    status,
    hint: 'check the key in the variable named by apiKeyEnv (or apiKeyFile) and that it may read trail logs',
  });
}

/** The error body is undocumented; the vendor's other management APIs answer `{type?, message, action?}`. */
function messageOf(body: unknown): string {
  if (isObject(body)) {
    for (const k of ['message', 'error', 'Message', 'detail']) {
      const m = body[k];
      if (typeof m === 'string' && m.trim()) return oneLine(m);
      if (isObject(m) && typeof m.message === 'string') return oneLine(m.message);
    }
  }
  return 'no message';
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${ms} ms`;
}

/**
 * Every "not ready" style seen in the window, sorted: which one a server uses is undocumented, and
 * a window that saw several (one per node behind a balancer, or a change mid-run) must say so.
 */
function noteStyle(stats: WindowStats, style: string): void {
  const prev = stats.extra.notReadyStyles;
  const seen = new Set(typeof prev === 'string' && prev !== '' ? prev.split(', ') : []);
  if (seen.has(style)) return;
  seen.add(style);
  stats.extra.notReadyStyles = [...seen].sort().join(', ');
}

function bump(stats: WindowStats, key: string): void {
  stats.extra[key] = num(stats.extra[key]) + 1;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
