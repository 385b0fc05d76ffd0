import type { HttpClient } from '../../http/types.js';
import type { TimeWindow } from '../../model/window.js';
import type { Source, SourceDefinition, SourceDeps } from '../source.js';
import { transportLedger } from '../config-fields.js';
import { LWA_DEFAULT_TOKEN_ENDPOINT, smapiConfigSchema, smapiQueryUrl, type SmapiConfig } from './config.js';
import { createLwaTokenProvider, type AccessTokenProvider, type LwaAuth } from './lwa-token-provider.js';
import { normalizeSmapiRecord } from './normalize.js';
import { pullSmapiWindow } from './pull.js';
import { buildQueryBody } from './query-body.js';

/**
 * Events per hour assumed by `auditpack plan` (no network): a busy vendor with a CLI deploy loop
 * and a CI pipeline. Only an estimate of request counts, never used for pulling.
 */
const SMAPI_ASSUMED_EVENTS_PER_HOUR = 150;

function createSmapiSource(cfg: SmapiConfig, deps: SourceDeps): Source {
  const name = cfg.name ?? 'smapi';
  const url = smapiQueryUrl(cfg.endpoint);
  let http: HttpClient | undefined;
  let auth: AccessTokenProvider | undefined;

  // The client is the source's own (its concurrency and rate limit); made on first use so that
  // `auditpack plan` opens nothing.
  const getHttp = (): HttpClient => {
    http ??= deps.createHttpClient({
      concurrency: cfg.concurrency,
      requestsPerSecond: cfg.requestsPerSecond,
      requestTimeoutMs: cfg.requestTimeoutMs,
      maxResponseBytes: cfg.maxResponseBytes,
    });
    return http;
  };

  // Secrets are read when the first window is pulled, not when the config is loaded, so `plan`
  // works without them. A missing variable still stops the run before any page is written.
  const getAuth = (): AccessTokenProvider => {
    if (auth) return auth;
    const a = cfg.auth;
    const at = (field: string) => `sources.${name}.auth.${field}`;
    let lwa: LwaAuth;
    if (a.accessTokenEnv !== undefined || a.accessTokenFile !== undefined) {
      lwa = {
        kind: 'static',
        accessToken: deps.secrets.resolve({ env: a.accessTokenEnv, file: a.accessTokenFile }, at(a.accessTokenEnv ? 'accessTokenEnv' : 'accessTokenFile')),
        accessTokenFrom: a.accessTokenEnv ? `$${a.accessTokenEnv}` : (a.accessTokenFile ?? ''),
      };
    } else {
      lwa = {
        kind: 'refresh',
        refreshToken: deps.secrets.resolve({ env: a.refreshTokenEnv, file: a.refreshTokenFile }, at(a.refreshTokenEnv ? 'refreshTokenEnv' : 'refreshTokenFile')),
        clientId: deps.secrets.resolve({ env: a.clientIdEnv, file: a.clientIdFile }, at(a.clientIdEnv ? 'clientIdEnv' : 'clientIdFile')),
        clientSecret: deps.secrets.resolve({ env: a.clientSecretEnv, file: a.clientSecretFile }, at(a.clientSecretEnv ? 'clientSecretEnv' : 'clientSecretFile')),
        tokenEndpoint: a.tokenEndpoint ?? LWA_DEFAULT_TOKEN_ENDPOINT,
        refreshTokenFrom: a.refreshTokenEnv ? `$${a.refreshTokenEnv}` : (a.refreshTokenFile ?? ''),
      };
    }
    auth = createLwaTokenProvider(lwa, { http: getHttp(), clock: deps.clock, redactor: deps.redactor });
    return auth;
  };

  const describeRequest = (window: TimeWindow): Record<string, unknown> => {
    // The body as sent, minus the page token (it changes per page) — and there is no secret in a body.
    const { paginationContext, ...rest } = buildQueryBody(cfg.vendorId, cfg.filters, window, cfg.pageSize);
    return { ...rest, paginationContext: { maxResults: paginationContext.maxResults } };
  };

  return {
    name,
    type: 'smapi',
    description: `Alexa SMAPI audit logs, vendor ${cfg.vendorId}`,
    policy: {
      // https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html: retention and the maximum window are undocumented: windows are our choice
      // (whole local days by default, so a DST day is one 25-hour window), and none is refused up front.
      maxWindowMs: cfg.windowHours % 24 === 0 ? null : cfg.windowHours * 3_600_000,
      windowDays: cfg.windowHours % 24 === 0 ? cfg.windowHours / 24 : undefined,
      retentionMs: null,
      // The reference (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html) says endTime means "on or before"; the SDK model says exclusive. Treat it as possibly inclusive.
      endInclusive: true,
      pageSize: cfg.pageSize,
      concurrency: cfg.concurrency,
      windowTimeoutMs: cfg.windowTimeoutMs,
    },
    describeRequest,
    pull: (window, ctx) =>
      pullSmapiWindow(window, ctx, {
        url,
        vendorId: cfg.vendorId,
        filters: cfg.filters,
        pageSize: cfg.pageSize,
        http: getHttp,
        auth: getAuth,
        redactor: deps.redactor,
      }),
    normalize: (raw) => normalizeSmapiRecord(raw, name),
    // The LWA token requests belong to no window (whichever window asks first pays for a shared
    // refresh): they get a ledger section of their own, so every request of the run is accounted for.
    async finish() {
      const transport = transportLedger(name, 'smapi', cfg.allowInsecureHttp, [url, cfg.auth.tokenEndpoint ?? (cfg.auth.refreshTokenEnv || cfg.auth.refreshTokenFile ? LWA_DEFAULT_TOKEN_ENDPOINT : undefined)]);
      // A static access token makes no token request: nothing to account for.
      if (!auth || auth.attempts().attempts === 0) return transport;
      const a = auth.attempts();
      return [
        ...transport,
        {
          source: name,
          sourceType: 'smapi',
          title: 'LWA access token',
          status: 'complete',
          facts: { tokenEndpoint: cfg.auth.tokenEndpoint ?? LWA_DEFAULT_TOKEN_ENDPOINT, refreshes: auth.refreshes(), attempts: a.attempts, retries: a.retries, throttles: a.throttles },
          problems: [],
        },
      ];
    },
    estimateRequests(window) {
      const hours = Math.max(0, window.end - window.start) / 3_600_000;
      return Math.max(1, Math.ceil((hours * SMAPI_ASSUMED_EVENTS_PER_HOUR) / cfg.pageSize));
    },
    async close() {
      const h = http;
      http = undefined;
      auth = undefined;
      await h?.close();
    },
  };
}

export const smapiSource: SourceDefinition<SmapiConfig> = {
  type: 'smapi',
  title: 'Alexa SMAPI audit logs',
  configSchema: smapiConfigSchema,
  create: createSmapiSource,
};

export { smapiConfigSchema, type SmapiConfig, type SmapiConfigInput } from './config.js';
export { normalizeSmapiRecord } from './normalize.js';
