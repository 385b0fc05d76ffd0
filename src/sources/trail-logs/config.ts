import { z } from 'zod';
import { endpointField, envNameField, fileNameField, networkLimitsShape, refineInsecureEndpoints } from '../config-fields.js';

/** Base URL of the documented region (https://vidos.id/docs/reference/management/trail). */
const TRAIL_LOGS_GLOBAL_URL = 'https://trail.management.global.vidos.id/';
/**
 * ASSUMPTION: the reference documents only the global host; records carry `metadata.region` global|eu,
 * so an EU deployment is taken to follow the same naming. Use `endpoint` if it differs.
 */
const TRAIL_LOGS_EU_URL = 'https://trail.management.eu.vidos.id/';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

export const trailLogsConfigSchema = z
  .object({
    type: z.literal('trail-logs'),
    name: z.string().min(1).optional(),
    region: z.enum(['global', 'eu']).default('global'),
    endpoint: endpointField('https://trail.example/').optional(),
    apiKeyEnv: envNameField.optional(),
    apiKeyFile: fileNameField.optional(),
    /** Only calls with this HTTP method (the API's own `method` filter). */
    method: z.enum(HTTP_METHODS).optional(),
    windowHours: z.number().int().min(1).max(24 * 31).default(24),
    /** First wait between result polls; it grows up to `maxPollIntervalMs`. */
    pollIntervalMs: z.number().int().min(1).max(60_000).default(1000),
    maxPollIntervalMs: z.number().int().min(1).max(120_000).default(10_000),
    /**
     * How long a window may wait on unfinished queries, summed over all of them, before it fails
     * with QUERY_TIMEOUT. Each page of the documented token style is a new query, so a busy day is
     * many queries: 15 minutes leaves room for ~100 pages that each take a few polls.
     */
    queryTimeoutMs: z.number().int().min(1).max(3_600_000).default(900_000),
    concurrency: z.number().int().min(1).max(16).default(2),
    ...networkLimitsShape(),
  })
  .strict()
  .refine((c) => c.apiKeyEnv !== undefined || c.apiKeyFile !== undefined, {
    error: 'trail-logs needs apiKeyEnv (the name of an environment variable holding the API key) or apiKeyFile',
    path: ['apiKeyEnv'],
  })
  .superRefine((c, ctx) => refineInsecureEndpoints(c, [{ path: ['endpoint'], url: c.endpoint }], ctx));

export type TrailLogsConfig = z.output<typeof trailLogsConfigSchema>;

/** Always ends with "/" so relative paths (`query-result/…`) resolve below any path prefix. */
export function trailLogsBaseUrl(cfg: Pick<TrailLogsConfig, 'endpoint' | 'region'>): string {
  const base = cfg.endpoint ?? (cfg.region === 'eu' ? TRAIL_LOGS_EU_URL : TRAIL_LOGS_GLOBAL_URL);
  return base.endsWith('/') ? base : `${base}/`;
}
