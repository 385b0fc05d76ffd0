import type { HttpClient } from '../../http/types.js';
import type { Source, SourceDefinition } from '../source.js';
import { transportLedger } from '../config-fields.js';
import type { TimeWindow } from '../../model/window.js';
import { trailLogsBaseUrl, trailLogsConfigSchema, type TrailLogsConfig } from './config.js';
import { normalizeTrailRecord } from './normalize.js';
import { pullTrailWindow, type TokenStyleMemo } from './pull.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const trailLogsSource: SourceDefinition<TrailLogsConfig> = {
  type: 'trail-logs',
  title: 'Vendor Trail Logs',
  configSchema: trailLogsConfigSchema,
  create(config, deps): Source {
    const name = config.name ?? 'trail-logs';
    // Read when the first window is pulled, not when the source is made, so `auditpack plan` needs no secret.
    let apiKey: string | undefined;
    const key = () => (apiKey ??= deps.secrets.resolve({ env: config.apiKeyEnv, file: config.apiKeyFile }, `sources.${name}.apiKeyEnv`));
    const baseUrl = trailLogsBaseUrl(config);
    const memo: TokenStyleMemo = {};
    // The source's own client, with its limits (request deadline, body cap); made on first use so
    // that `auditpack plan` opens nothing. Each window has one request in flight at a time.
    let http: HttpClient | undefined;
    const getHttp = (): HttpClient =>
      (http ??= deps.createHttpClient({ concurrency: config.concurrency, requestTimeoutMs: config.requestTimeoutMs, maxResponseBytes: config.maxResponseBytes }));
    const wholeDays = config.windowHours % 24 === 0;
    return {
      name,
      type: 'trail-logs',
      description: `Vendor Trail Logs (${config.endpoint ? baseUrl : `region ${config.region}`}${config.method ? `, ${config.method} calls only` : ''})`,
      policy: {
        // No window limit, retention or page size is documented (https://vidos.id/docs/reference/management/trail): windows are our choice.
        maxWindowMs: wholeDays ? null : config.windowHours * HOUR,
        windowDays: wholeDays ? config.windowHours / 24 : undefined,
        retentionMs: null,
        // Undocumented whether `to` is inclusive: ask half-open, the pipeline drops what falls on the bound.
        endInclusive: true,
        // The API takes no page size; the server decides.
        pageSize: 0,
        concurrency: config.concurrency,
        windowTimeoutMs: config.windowTimeoutMs,
      },
      describeRequest(window: TimeWindow) {
        return {
          url: baseUrl,
          from: new Date(window.start).toISOString(),
          to: new Date(window.end).toISOString(),
          ...(config.method ? { method: config.method } : {}),
        };
      },
      pull(window, ctx) {
        return pullTrailWindow(window, { ...ctx, http: getHttp() }, { config, baseUrl, apiKey: key(), memo });
      },
      normalize(raw) {
        return normalizeTrailRecord(raw, name);
      },
      async finish() {
        return transportLedger(name, 'trail-logs', config.allowInsecureHttp, [baseUrl]);
      },
      async close() {
        const h = http;
        http = undefined;
        await h?.close();
      },
      estimateRequests(window) {
        // One POST and a few polls per page; a day of a busy account is a few pages.
        return Math.max(1, Math.ceil((window.end - window.start) / DAY)) * 4;
      },
    };
  },
};
