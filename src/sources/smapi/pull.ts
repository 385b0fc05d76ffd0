import { AuditpackError, isAuditpackError } from '../../errors.js';
import type { HttpClient } from '../../http/types.js';
import { windowKey, type TimeWindow } from '../../model/window.js';
import type { Redactor } from '../../util/redactor.js';
import type { PullContext, PullItem } from '../source.js';
import type { SmapiFilters } from './config.js';
import type { AccessTokenProvider } from './lwa-token-provider.js';
import { parseTimestamp } from './normalize.js';
import { buildQueryBody } from './query-body.js';

/** https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html: a nextToken expires after one hour. We stop using one a minute early. */
export const NEXT_TOKEN_LIFETIME_MS = 3_600_000;
const NEXT_TOKEN_MARGIN_MS = 60_000;
/**
 * Rejected or expired page tokens in a row, with no progress between them, before the window
 * fails. Progress resets the count: a window that keeps moving forward is never given up on.
 */
export const MAX_RESTARTS = 3;
/** Empty pages in a row that still carry a token: beyond this the API is looping, not paging. */
const MAX_EMPTY_PAGES_IN_A_ROW = 100;

export interface SmapiPullDeps {
  url: string;
  vendorId: string;
  filters: SmapiFilters | undefined;
  pageSize: number;
  http: () => HttpClient;
  auth: () => AccessTokenProvider;
  redactor: Redactor;
}

type PageResult = { kind: 'page'; records: unknown[]; bytes: Uint8Array; nextToken?: string } | { kind: 'token-rejected'; reason: string };

/** How a pass ended: the window is done, or a token was refused and the pass must be resumed. */
type PassEnd = { kind: 'done' } | { kind: 'token-lost'; reason: string; resumeAt: number };

/**
 * Pages one window to its end (until no nextToken, through short and empty pages). Pages come
 * sorted by time, ascending, so when a nextToken is rejected or expires, everything before the
 * last record received has been received: the window continues with a new query from that
 * record's time (its own second and those after it), instead of from the window's start. The
 * records at that very time are read again; the pipeline counts them as re-reads, not events.
 * Should a page ever come out of order, the sort cannot be trusted and the window starts over.
 */
export async function* pullSmapiWindow(window: TimeWindow, ctx: PullContext, deps: SmapiPullDeps): AsyncIterable<PullItem> {
  const key = windowKey(window);
  let from = window.start;
  let stuck = 0;
  try {
    for (;;) {
      const end = yield* pageThrough(window, from, ctx, deps, key);
      if (end.kind === 'done') return;
      stuck = end.resumeAt > from ? 0 : stuck + 1;
      if (stuck >= MAX_RESTARTS) {
        throw new AuditpackError('PAGE_TOKEN_INVALID', `SMAPI window ${key}: the page token was rejected ${MAX_RESTARTS} times in a row without progress from ${iso(from)} (${end.reason})`, {
          hint: 'each query must be paged within the hour a page token lives: lower windowHours, then run again',
        });
      }
      ctx.stats.restarts++;
      const how = end.resumeAt > window.start ? `continuing from ${iso(end.resumeAt)}, the time of the last record received` : 'starting the window again';
      from = end.resumeAt;
      yield { kind: 'restart', reason: `${end.reason}; ${how}` };
    }
  } catch (e) {
    throw scrub(e, deps.redactor);
  }
}

/** Yields the pages of one pass from `from`; ends at the window's end, or where the pass must resume. */
async function* pageThrough(window: TimeWindow, from: number, ctx: PullContext, deps: SmapiPullDeps, key: string): AsyncGenerator<PullItem, PassEnd, void> {
  const query = { index: window.index, start: from, end: window.end };
  let nextToken: string | undefined;
  let tokenSince = 0;
  let emptyInARow = 0;
  // The time of the last record received in this pass: everything before it has been received.
  let lastTime = from;
  let ordered = true;
  const lost = (reason: string): PassEnd => ({ kind: 'token-lost', reason, resumeAt: ordered ? lastTime : window.start });
  for (let page = 1; ; page++) {
    if (nextToken !== undefined && ctx.clock.now() - tokenSince >= NEXT_TOKEN_LIFETIME_MS - NEXT_TOKEN_MARGIN_MS) {
      return lost('the page token is about to expire (one hour)');
    }
    const res = await fetchPage(query, nextToken, ctx, deps, `SMAPI query ${key} page ${page}`);
    if (res.kind === 'token-rejected') return lost(res.reason);
    // The token's hour runs from when the server issued it, not from when the pipeline is done with the page.
    const receivedAt = ctx.clock.now();
    ctx.stats.pages++;
    const more = res.nextToken !== undefined && res.nextToken !== '';
    if (more && res.records.length < deps.pageSize) bump(ctx, res.records.length === 0 ? 'emptyPages' : 'shortPages');
    if (res.records.length > 0 && ordered) {
      // The first and last record of each page are enough to see the order hold across pages.
      const first = timeOf(res.records[0]);
      const last = timeOf(res.records[res.records.length - 1]);
      if (first === undefined || last === undefined || first < lastTime || last < first) ordered = false;
      else lastTime = last;
    }
    // The page's bytes as received (SMAPI records hold no secret): the pipeline archives and
    // fingerprints the records as those bytes, located off this thread.
    yield { kind: 'page', records: res.records, received: { bytes: res.bytes, arrayKey: 'auditLogs' } };
    ctx.progress({ pages: 1, records: res.records.length });
    if (!more) return { kind: 'done' };
    if (res.nextToken === nextToken) {
      throw new AuditpackError('DATA_INVALID', `SMAPI window ${key}: the API returned the same nextToken twice in a row`, {
        hint: 'paging cannot advance; run again, and report it if it persists',
      });
    }
    emptyInARow = res.records.length === 0 ? emptyInARow + 1 : 0;
    if (emptyInARow >= MAX_EMPTY_PAGES_IN_A_ROW) {
      throw new AuditpackError('DATA_INVALID', `SMAPI window ${key}: ${emptyInARow} empty pages in a row, each with a nextToken`, {
        hint: 'paging does not advance; run again later',
      });
    }
    nextToken = res.nextToken;
    tokenSince = receivedAt;
  }
}

function timeOf(record: unknown): number | undefined {
  return typeof record === 'object' && record !== null ? parseTimestamp((record as Record<string, unknown>).timestamp) : undefined;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

async function fetchPage(window: TimeWindow, nextToken: string | undefined, ctx: PullContext, deps: SmapiPullDeps, label: string): Promise<PageResult> {
  const body = JSON.stringify(buildQueryBody(deps.vendorId, deps.filters, window, deps.pageSize, nextToken));
  const auth = deps.auth();
  // https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html: 401 means the access token is not valid: refresh once, then give up.
  for (let attempt = 1; ; attempt++) {
    const token = await auth.get(ctx.signal);
    const res = await deps.http().json<unknown>(
      {
        method: 'POST',
        url: deps.url,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
        signal: ctx.signal,
        passStatuses: [400, 401, 403, 404],
        label,
      },
      ctx.stats,
    );
    if (res.status === 401) {
      if (attempt === 1 && auth.invalidate(token)) {
        bump(ctx, 'authRefreshesOn401');
        continue;
      }
      throw new AuditpackError('AUTH_REFUSED', `SMAPI refused the access token (HTTP 401${attempt > 1 ? ', also right after a refresh' : ''})${said(res.body, deps.redactor)}`, {
        status: 401,
        hint: attempt > 1 ? 'check that the LWA security profile is allowed to call SMAPI' : 'the access token is invalid or expired: generate a new one, or configure a refresh token',
      });
    }
    if (res.status === 403) {
      throw new AuditpackError('AUTH_REFUSED', `SMAPI: not permitted for vendor ${deps.vendorId} (HTTP 403)${said(res.body, deps.redactor)}`, {
        status: 403,
        hint: 'the LWA user of these credentials needs access to this vendor (developer console → Settings → User Permissions)',
      });
    }
    if (res.status === 404) {
      throw new AuditpackError('SOURCE_NOT_FOUND', `SMAPI: vendor ${deps.vendorId} not found (HTTP 404)`, {
        status: 404,
        hint: 'check vendorId (developer console → Settings → Customer Details) and the endpoint',
      });
    }
    if (res.status === 400) {
      const text = said(res.body, deps.redactor);
      // https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html: 400 also means "the caller provided a NextToken that is not valid" (expired ones too).
      // The first page of this window was accepted with the same body minus the token, so a 400 on
      // a later page is about the token whatever its wording (undocumented): start the window again.
      if (nextToken !== undefined) return { kind: 'token-rejected', reason: `page token rejected (HTTP 400${text})` };
      throw new AuditpackError('CONFIG_INVALID', `SMAPI rejected the query for vendor ${deps.vendorId} (HTTP 400)${text}`, {
        status: 400,
        hint: 'check vendorId and filters of this source',
      });
    }
    return readPage(res.body, res.bytes, label);
  }
}

function readPage(body: unknown, bytes: Uint8Array, label: string): PageResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AuditpackError('DATA_INVALID', `${label}: the response is not a JSON object`, { hint: 'check the endpoint setting: it must be the SMAPI base URL' });
  }
  const o = body as Record<string, unknown>;
  if (o.auditLogs !== undefined && !Array.isArray(o.auditLogs)) {
    throw new AuditpackError('DATA_INVALID', `${label}: auditLogs is not an array`, { hint: 'check the endpoint setting: it must be the SMAPI base URL' });
  }
  const pc = typeof o.paginationContext === 'object' && o.paginationContext !== null ? (o.paginationContext as Record<string, unknown>) : {};
  const token = typeof pc.nextToken === 'string' && pc.nextToken !== '' ? pc.nextToken : undefined;
  const records = Array.isArray(o.auditLogs) ? (o.auditLogs as unknown[]) : [];
  return { kind: 'page', records, bytes, nextToken: token };
}

/** ": <the server's message; violations>" for an error line, secrets removed, at most 300 characters. */
function said(body: unknown, redactor: Redactor): string {
  if (typeof body !== 'object' || body === null) return '';
  const o = body as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof o.message === 'string' && o.message.trim()) parts.push(o.message.trim());
  if (Array.isArray(o.violations)) {
    for (const v of o.violations) {
      if (typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).message === 'string') parts.push(String((v as Record<string, unknown>).message));
    }
  }
  const text = redactor.redact(parts.join('; ').replace(/\s+/g, ' '));
  if (!text) return '';
  return `: ${text.length > 300 ? `${text.slice(0, 299)}…` : text}`;
}

function bump(ctx: PullContext, key: string): void {
  const v = ctx.stats.extra[key];
  ctx.stats.extra[key] = (typeof v === 'number' ? v : 0) + 1;
}

function scrub(e: unknown, redactor: Redactor): unknown {
  if (!isAuditpackError(e) || !(redactor.leaks(e.message) || (e.hint !== undefined && redactor.leaks(e.hint)))) return e;
  return new AuditpackError(e.code, redactor.redact(e.message), {
    hint: e.hint === undefined ? undefined : redactor.redact(e.hint),
    status: e.status,
    cause: e.cause,
    details: e.details,
  });
}
