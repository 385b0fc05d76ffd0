import { AuditpackError, isAuditpackError } from '../../errors.js';
import type { AttemptRecorder, HttpClient } from '../../http/types.js';
import type { Clock } from '../../util/clock.js';
import type { Redactor } from '../../util/redactor.js';

/** Where the SMAPI access token comes from. Secret values only; `*From` name their origin for messages. */
export type LwaAuth =
  | { kind: 'static'; accessToken: string; accessTokenFrom: string }
  | {
      kind: 'refresh';
      refreshToken: string;
      clientId: string;
      clientSecret: string;
      tokenEndpoint: string;
      refreshTokenFrom: string;
    };

export interface AccessTokenProvider {
  /**
   * A token valid for at least another minute (a fifth of its lifetime for a short-lived token);
   * refreshes (once, shared by all callers) when needed.
   * The token requests are counted in the provider's own recorder, not in the calling window's:
   * which window happens to ask first depends on scheduling, and the ledger must not.
   */
  get(signal?: AbortSignal): Promise<string>;
  /**
   * The API refused `token` with 401. Forgets it so the next `get` refreshes; false when the
   * token cannot be refreshed (a static access token).
   */
  invalidate(token: string): boolean;
  /** Refreshes done so far. */
  refreshes(): number;
  /** Attempts, retries and throttles of the token requests so far. */
  attempts(): Readonly<AttemptRecorder>;
}

/** https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html: "Refresh a minute before expiry." */
const REFRESH_MARGIN_MS = 60_000;
/** Of a token's lifetime, at most this share is given up to refresh early. */
const REFRESH_MARGIN_SHARE = 0.2;

/**
 * How long before expiry a token is refreshed: a minute for LWA's usual hour, but never more than
 * a fifth of the token's own lifetime. A fixed minute before the end of a 20-second token is
 * before its start: every call would refresh first.
 */
function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(REFRESH_MARGIN_MS, Math.floor(lifetimeMs * REFRESH_MARGIN_SHARE));
}
const DEFAULT_EXPIRES_IN_S = 3600;

export function createLwaTokenProvider(auth: LwaAuth, deps: { http: HttpClient; clock: Clock; redactor: Redactor }): AccessTokenProvider {
  let current: { token: string; expiresAt: number; refreshAt: number } | undefined;
  let inflight: Promise<{ token: string; expiresAt: number; refreshAt: number }> | undefined;
  let refreshes = 0;
  const rec: AttemptRecorder = { attempts: 0, retries: 0, throttles: 0, retryWaitMs: 0 };

  if (auth.kind === 'static') {
    return {
      get: () => Promise.resolve(auth.accessToken),
      invalidate: () => false,
      refreshes: () => 0,
      attempts: () => rec,
    };
  }

  async function refresh(signal?: AbortSignal): Promise<{ token: string; expiresAt: number; refreshAt: number }> {
    if (auth.kind !== 'refresh') throw new Error('unreachable');
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: auth.refreshToken,
      client_id: auth.clientId,
      client_secret: auth.clientSecret,
    }).toString();
    const endpoint = new URL(auth.tokenEndpoint);
    let res: { status: number; body: unknown };
    try {
      // json(): a cut-short 2xx body is retried like a 5xx.
      res = await deps.http.json<unknown>(
        {
          method: 'POST',
          url: endpoint,
          headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
          body,
          signal,
          // OAuth errors (RFC 6749 §5.2) come as 400/401 with {error, error_description}: read them here.
          passStatuses: [400, 401, 403],
          label: `LWA token refresh (${endpoint.host})`,
        },
        rec,
      );
    } catch (e) {
      throw scrub(e, deps.redactor);
    }
    const parsed = asObject(res.body);
    if (res.status >= 400) {
      const error = typeof parsed?.error === 'string' ? parsed.error : `HTTP ${res.status}`;
      const description = typeof parsed?.error_description === 'string' ? `: ${parsed.error_description}` : '';
      throw new AuditpackError(
        'AUTH_REFUSED',
        deps.redactor.redact(`LWA refused the token refresh for SMAPI (${error}${description})`),
        {
          status: res.status,
          hint:
            error === 'invalid_client'
              ? 'check the LWA client id and client secret of the security profile'
              : `generate a new refresh token (e.g. \`ask util generate-lwa-tokens\`) and put it in ${auth.refreshTokenFrom}`,
        },
      );
    }
    const token = typeof parsed?.access_token === 'string' ? parsed.access_token : '';
    if (!token) {
      throw new AuditpackError('AUTH_REFUSED', `LWA token endpoint ${endpoint.host} answered without an access_token`, {
        hint: 'check auth.tokenEndpoint: it must be the LWA token URL (https://api.amazon.com/auth/o2/token)',
      });
    }
    deps.redactor.add(token);
    const expiresIn = typeof parsed?.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : DEFAULT_EXPIRES_IN_S;
    refreshes++;
    const now = deps.clock.now();
    const lifetimeMs = expiresIn * 1000;
    return { token, expiresAt: now + lifetimeMs, refreshAt: now + lifetimeMs - refreshMarginMs(lifetimeMs) };
  }

  return {
    async get(signal) {
      if (current && current.refreshAt > deps.clock.now()) return current.token;
      // One refresh at a time: concurrent windows wait for the same answer.
      inflight ??= refresh(signal).finally(() => {
        inflight = undefined;
      });
      current = await inflight;
      return current.token;
    },
    invalidate(token) {
      if (current?.token === token) current = undefined;
      return true;
    },
    refreshes: () => refreshes,
    attempts: () => rec,
  };
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Transport errors carry the server's words; make sure no secret rides along. */
function scrub(e: unknown, redactor: Redactor): unknown {
  if (!isAuditpackError(e) || !redactor.leaks(e.message)) return e;
  return new AuditpackError(e.code, redactor.redact(e.message), { hint: e.hint, status: e.status, cause: e.cause, details: e.details });
}
