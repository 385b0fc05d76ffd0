import { AuditpackError } from '../../errors.js';
import type { TimeWindow } from '../../model/window.js';
import type { PullContext, PullItem } from '../source.js';
import type { AmplitudeConfig } from './config.js';
import { isCursorRefusal, isRetentionRefusal, readErrorMessage, readPage, recordsKey, requestBody } from './response-adapter.js';

export interface AmplitudePullEnv {
  config: AmplitudeConfig;
  url: string;
  /** `Basic base64(ORG_API_KEY:ORG_SECRET_KEY)` (https://amplitude.com/docs/apis/audit-logs). */
  authorization: string;
}

const PASS = [400, 401, 403, 404, 422] as const;
/** A cursor the API refuses: the window is pulled again from its start once, then it fails. */
const MAX_RESTARTS = 1;

export async function* pullAmplitudeWindow(window: TimeWindow, ctx: PullContext, env: AmplitudePullEnv): AsyncIterable<PullItem> {
  const startDate = new Date(window.start).toISOString();
  // Asked half-open; whether end_date is inclusive is undocumented, the pipeline drops records at `end`.
  const endDate = new Date(window.end).toISOString();
  const label = `${startDate}..${endDate}`;
  let cursor: string | undefined;
  let restarts = 0;
  let page = 0;
  for (;;) {
    page++;
    const body = requestBody({ startDate, endDate, filters: env.config.filters, limit: env.config.pageSize, cursor });
    // json(): a 2xx body cut short is retried by the client; a refused one without JSON gives null.
    const res = await ctx.http.json<unknown>(
      {
        method: 'POST',
        url: env.url,
        headers: { authorization: env.authorization, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: ctx.signal,
        passStatuses: PASS,
        label: `Amplitude audit logs page ${page} (${label})`,
      },
      ctx.stats,
    );
    if (res.status >= 400) {
      const message = readErrorMessage(res.body);
      if (cursor !== undefined && isCursorRefusal(res.status, message)) {
        if (restarts >= MAX_RESTARTS) {
          throw new AuditpackError('PAGE_TOKEN_INVALID', `Amplitude refused its own page cursor again after a restart (${label}: ${message})`, {
            status: 400,
            hint: 're-run the window; if it persists, match src/sources/amplitude/response-adapter.ts to the live API',
          });
        }
        restarts++;
        ctx.stats.restarts++;
        cursor = undefined;
        page = 0;
        yield { kind: 'restart', reason: `Amplitude refused the page cursor: ${message}` };
        continue;
      }
      throw refusal(res.status, message, label, env.config.orgId);
    }
    const { records, cursor: next } = readPage(res.body);
    ctx.stats.pages++;
    ctx.progress({ pages: 1, records: records.length });
    // The page's bytes as received (the records hold no secret): the pipeline archives and
    // fingerprints the records as those bytes, located off this thread.
    const key = recordsKey(res.body);
    yield key !== undefined ? { kind: 'page', records, received: { bytes: res.bytes, arrayKey: key } } : { kind: 'page', records };
    if (next === undefined) return;
    if (next === cursor) {
      throw new AuditpackError('DATA_INVALID', `Amplitude pagination did not advance: the same cursor came back (${label})`, {
        hint: 're-run; if it persists, match src/sources/amplitude/response-adapter.ts to the live API',
      });
    }
    cursor = next;
  }
}

function refusal(status: number, message: string, label: string, orgId: string): AuditpackError {
  if (status === 401) {
    return new AuditpackError('AUTH_REFUSED', `Amplitude refused the organization credentials (HTTP 401: ${message})`, {
      status,
      hint: 'check the Organization API key and Secret Key named by apiKeyEnv/secretKeyEnv (the secret key comes from Amplitude Support)',
    });
  }
  if (status === 403 || status === 404) {
    return new AuditpackError(status === 403 ? 'AUTH_REFUSED' : 'SOURCE_NOT_FOUND', `Amplitude refused access to organization ${orgId} (HTTP ${status}: ${message})`, {
      status,
      hint: 'check orgId, and that the keys belong to that organization and have Audit Logs access',
    });
  }
  if (isRetentionRefusal(message)) {
    return new AuditpackError('RETENTION_EXCEEDED', `Amplitude no longer has data for ${label} (HTTP ${status}: ${message})`, {
      status,
      hint: 'Amplitude keeps audit logs for 90 days; choose a more recent period',
    });
  }
  return new AuditpackError('HTTP_STATUS', `Amplitude refused the query for ${label} (HTTP ${status}: ${message})`, {
    status,
    hint: 'each query may cover at most 30 days (windowDays ≤ 30); check the filters',
  });
}
