import type { HttpClient } from '../../http/types.js';
import type { Source, SourceDefinition } from '../source.js';
import { transportLedger } from '../config-fields.js';
import type { TimeWindow } from '../../model/window.js';
import { AMPLITUDE_MAX_WINDOW_DAYS, AMPLITUDE_RETENTION_DAYS, amplitudeConfigSchema, amplitudeQueryUrl, type AmplitudeConfig } from './config.js';
import { normalizeAmplitudeRecord } from './normalize.js';
import { pullAmplitudeWindow } from './pull.js';

const DAY = 86_400_000;

export const amplitudeSource: SourceDefinition<AmplitudeConfig> = {
  type: 'amplitude',
  title: 'Amplitude audit logs',
  configSchema: amplitudeConfigSchema,
  create(config, deps): Source {
    const name = config.name ?? 'amplitude';
    // Read when the first window is pulled, not when the source is made, so `auditpack plan` needs no secret.
    let authorization: string | undefined;
    const basicAuth = (): string => {
      if (authorization) return authorization;
      const apiKey = deps.secrets.resolve({ env: config.apiKeyEnv, file: config.apiKeyFile }, `sources.${name}.apiKeyEnv`);
      const secretKey = deps.secrets.resolve({ env: config.secretKeyEnv, file: config.secretKeyFile }, `sources.${name}.secretKeyEnv`);
      const encoded = Buffer.from(`${apiKey}:${secretKey}`).toString('base64');
      // The encoded pair is a secret of its own: keep it out of every log line and message too.
      deps.redactor.add(encoded);
      authorization = `Basic ${encoded}`;
      return authorization;
    };
    const url = amplitudeQueryUrl(config);
    // The source's own client, with its limits (request deadline, body cap); made on first use so
    // that `auditpack plan` opens nothing. Each window has one request in flight at a time.
    let http: HttpClient | undefined;
    const getHttp = (): HttpClient =>
      (http ??= deps.createHttpClient({ concurrency: config.concurrency, requestTimeoutMs: config.requestTimeoutMs, maxResponseBytes: config.maxResponseBytes }));
    const filters = config.filters ?? {};
    return {
      name,
      type: 'amplitude',
      description: `Amplitude audit logs, organization ${config.orgId}${Object.keys(filters).length ? ` (${Object.entries(filters).map(([k, v]) => `${k}=${v}`).join(', ')})` : ''}`,
      policy: {
        // At most 30 days per query, 90 days kept (https://amplitude.com/docs/apis/audit-logs).
        maxWindowMs: AMPLITUDE_MAX_WINDOW_DAYS * DAY,
        windowDays: config.windowDays,
        retentionMs: AMPLITUDE_RETENTION_DAYS * DAY,
        endInclusive: true,
        pageSize: config.pageSize,
        concurrency: config.concurrency,
        windowTimeoutMs: config.windowTimeoutMs,
        retentionHint: 'Amplitude keeps audit logs for 90 days: choose a period that starts within the last 90 days',
      },
      describeRequest(window: TimeWindow) {
        return {
          url,
          start_date: new Date(window.start).toISOString(),
          end_date: new Date(window.end).toISOString(),
          ...(Object.keys(filters).length ? { filters } : {}),
          limit: config.pageSize,
        };
      },
      pull(window, ctx) {
        return pullAmplitudeWindow(window, { ...ctx, http: getHttp() }, { config, url, authorization: basicAuth() });
      },
      normalize(raw) {
        return normalizeAmplitudeRecord(raw, name);
      },
      async finish() {
        return transportLedger(name, 'amplitude', config.allowInsecureHttp, [url]);
      },
      async close() {
        const h = http;
        http = undefined;
        await h?.close();
      },
      estimateRequests() {
        return 1;
      },
    };
  },
};
