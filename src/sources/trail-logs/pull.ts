import { AuditpackError, isStackOverflow, nestedTooDeep } from '../../errors.js';
import type { TimeWindow } from '../../model/window.js';
import type { WindowStats } from '../../model/coverage.js';
import type { PullContext, PullItem } from '../source.js';
import type { TrailLogsConfig } from './config.js';
import { awaitResult, startQuery, type QueryContext, type QueryParams, type ResultOutcome } from './query.js';
import { redactTrailRecord } from './redact-record.js';
import { timestampUnit } from './timestamp.js';

/**
 * Where `nextToken` goes. https://vidos.id/docs/reference/management/trail documents it in the body of a new `POST /`; a GET
 * `?nextToken=` on the running query is the other plausible reading. Learned on
 * the first page that has a token and kept for the source's later windows.
 */
export type TokenStyle = 'post' | 'get';
export interface TokenStyleMemo {
  style?: TokenStyle;
}

export interface TrailPullEnv {
  config: TrailLogsConfig;
  baseUrl: string;
  apiKey: string;
  memo: TokenStyleMemo;
}

/** A token rejected by the API: the window is pulled again from its start once, then it fails. */
const MAX_RESTARTS = 1;

export async function* pullTrailWindow(window: TimeWindow, ctx: PullContext, env: TrailPullEnv): AsyncIterable<PullItem> {
  const from = new Date(window.start).toISOString();
  const to = new Date(window.end).toISOString();
  const q: QueryContext = {
    http: ctx.http,
    stats: ctx.stats,
    clock: ctx.clock,
    signal: ctx.signal,
    baseUrl: env.baseUrl,
    apiKey: env.apiKey,
    pollIntervalMs: env.config.pollIntervalMs,
    maxPollIntervalMs: Math.max(env.config.pollIntervalMs, env.config.maxPollIntervalMs),
    queryTimeoutMs: env.config.queryTimeoutMs,
    waited: { ms: 0 },
    label: `${from}..${to}`,
  };
  const base: QueryParams = env.config.method ? { from, to, method: env.config.method } : { from, to };
  // Records may take up to 5 minutes to appear (https://vidos.id/docs/explanations/management/logs/trail).
  if (window.end > ctx.clock.now() - 5 * 60_000) ctx.stats.extra.recentRecordsMayBeMissing = true;

  const units = new Set<string>();
  let restarts = 0;
  restart: for (;;) {
    const first = await startQuery(q, base);
    if (first.kind === 'rejected') throw refused(first.status, first.message, q.label);
    let queryId = first.id;
    let page = ready(await awaitResult(q, queryId), q.label);
    const firstFingerprint = fingerprint(page.data);
    yield emit(page.data, ctx, units);

    while (page.nextToken !== undefined) {
      const token = page.nextToken;
      const next = await fetchNext(q, base, queryId, token, firstFingerprint, env.memo);
      if (next === null) {
        if (restarts >= MAX_RESTARTS) {
          throw new AuditpackError('PAGE_TOKEN_INVALID', `Trail Logs rejected its own nextToken again after a restart (${q.label})`, {
            hint: 're-run the window; if it persists, the API changed how it pages',
          });
        }
        restarts++;
        ctx.stats.restarts++;
        yield { kind: 'restart', reason: 'Trail Logs rejected the nextToken' };
        continue restart;
      }
      if (next.page.nextToken !== undefined && next.page.nextToken === token) {
        throw new AuditpackError('DATA_INVALID', `Trail Logs pagination did not advance: the same nextToken came back (${q.label})`, {
          hint: 're-run; if it persists, report the API behaviour',
        });
      }
      ctx.stats.extra.tokenStyle = next.style;
      queryId = next.queryId;
      page = next.page;
      yield emit(page.data, ctx, units);
    }
    return;
  }
}

interface NextPage {
  page: { data: unknown[]; nextToken?: string };
  queryId: string;
  style: TokenStyle;
}

/**
 * The next page by the learned token style; on the first token, tries the documented style first.
 * Null: token rejected. Windows run concurrently and share the memo: decisions use what was known
 * when this page was asked for, so a style learned meanwhile by another window cannot make this
 * one take a first page answered again for a next page.
 */
async function fetchNext(
  q: QueryContext,
  base: QueryParams,
  queryId: string,
  token: string,
  firstFingerprint: string,
  memo: TokenStyleMemo,
): Promise<NextPage | null> {
  const known = memo.style;
  const sameAsFirst = (page: { data: unknown[]; nextToken?: string }) =>
    page.nextToken === token || (firstFingerprint !== '' && fingerprint(page.data) === firstFingerprint);
  if (known !== 'get') {
    const started = await startQuery(q, { ...base, nextToken: token });
    if (started.kind === 'started') {
      const res = await awaitResult(q, started.id);
      if (res.kind === 'ready') {
        // An API that ignores a token in the POST answers the first page again.
        if (known === 'post' || !sameAsFirst(res)) {
          memo.style = 'post';
          return { page: res, queryId: started.id, style: 'post' };
        }
      } else if (known === 'post') {
        return null;
      }
    } else if (known === 'post') {
      return null;
    }
  }
  const res = await awaitResult(q, queryId, token);
  if (res.kind === 'rejected') return null;
  // A server that ignores the GET token answers the first page again: the token is not usable either way.
  if (known === undefined && sameAsFirst(res)) return null;
  memo.style = 'get';
  return { page: res, queryId, style: 'get' };
}

function ready(res: ResultOutcome, label: string): { data: unknown[]; nextToken?: string } {
  if (res.kind === 'rejected') throw refused(res.status, res.message, label);
  return res;
}

function refused(status: number, message: string, label: string): AuditpackError {
  return new AuditpackError('HTTP_STATUS', `Trail Logs refused the query for ${label} (HTTP ${status}: ${message})`, {
    status,
    hint: 'check the method filter and the window; the API wants ISO 8601 from/to',
  });
}

/** Redacts credentials in place, counts, records the timestamp unit, and wraps the page. */
function emit(records: unknown[], ctx: PullContext, units: Set<string>): PullItem {
  let redactions = 0;
  try {
    for (const r of records) {
      redactions += redactTrailRecord(r);
      const unit = timestampUnit(isObject(r) ? r.timestamp : undefined);
      if (unit) units.add(unit);
    }
  } catch (e) {
    if (isStackOverflow(e)) throw nestedTooDeep(`a Trail Logs page of ${records.length} record(s)`, e);
    throw e;
  }
  const stats: WindowStats = ctx.stats;
  stats.extra.redactions = (typeof stats.extra.redactions === 'number' ? stats.extra.redactions : 0) + redactions;
  if (units.size) stats.extra.timestampUnit = units.size === 1 ? [...units][0] : `mixed (${[...units].sort().join(', ')})`;
  stats.pages++;
  ctx.progress({ pages: 1, records: records.length });
  return { kind: 'page', records };
}

function fingerprint(data: unknown[]): string {
  return data.length ? JSON.stringify(data[0]) : '';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
