import { z } from 'zod';
import { endpointField, envNameField, fileNameField, networkLimitsShape, refineInsecureEndpoints } from '../config-fields.js';

/** `POST https://amplitude.com/api/2/audit-logs/{ORG_ID}` (https://amplitude.com/docs/apis/audit-logs). */
const AMPLITUDE_US_URL = 'https://amplitude.com';
/**
 * The EU endpoint (https://amplitude.com/docs/apis/audit-logs, "EU endpoint availability"), for organizations whose data
 * is in Amplitude's EU residency. Offered, not defaulted.
 */
const AMPLITUDE_EU_URL = 'https://analytics.eu.amplitude.com';

/** "The maximum query range is 30 days. Amplitude retains audit data for 90 days" (https://amplitude.com/docs/apis/audit-logs). */
export const AMPLITUDE_MAX_WINDOW_DAYS = 30;
export const AMPLITUDE_RETENTION_DAYS = 90;

export const amplitudeConfigSchema = z
  .object({
    type: z.literal('amplitude'),
    name: z.string().min(1).optional(),
    orgId: z
      .union([z.string().regex(/^[A-Za-z0-9_-]+$/), z.number().int().positive()], {
        error: 'orgId must be the Amplitude organization id, e.g. "76273"',
      })
      .transform((v) => String(v)),
    host: z.enum(['us', 'eu']).default('us'),
    endpoint: endpointField('https://amplitude.com').optional(),
    apiKeyEnv: envNameField.optional(),
    apiKeyFile: fileNameField.optional(),
    secretKeyEnv: envNameField.optional(),
    secretKeyFile: fileNameField.optional(),
    filters: z
      .object({ domain: z.string().min(1).optional(), feature: z.string().min(1).optional(), action: z.string().min(1).optional() })
      .strict()
      .optional(),
    /** `pagination.limit`; its bounds are undocumented, the example request of https://amplitude.com/docs/apis/audit-logs uses 100. */
    pageSize: z.number().int().min(1).max(1000).default(100),
    windowDays: z
      .number()
      .int()
      .min(1)
      .max(AMPLITUDE_MAX_WINDOW_DAYS, {
        error: `windowDays must be ${AMPLITUDE_MAX_WINDOW_DAYS} or less: the Amplitude Audit Logs API refuses ranges over ${AMPLITUDE_MAX_WINDOW_DAYS} days`,
      })
      .default(AMPLITUDE_MAX_WINDOW_DAYS),
    concurrency: z.number().int().min(1).max(8).default(1),
    ...networkLimitsShape(),
  })
  .strict()
  .refine((c) => c.apiKeyEnv !== undefined || c.apiKeyFile !== undefined, {
    error: 'amplitude needs apiKeyEnv (the environment variable holding the Organization API key) or apiKeyFile',
    path: ['apiKeyEnv'],
  })
  .refine((c) => c.secretKeyEnv !== undefined || c.secretKeyFile !== undefined, {
    error: 'amplitude needs secretKeyEnv (the environment variable holding the Organization Secret Key) or secretKeyFile',
    path: ['secretKeyEnv'],
  })
  .superRefine((c, ctx) => refineInsecureEndpoints(c, [{ path: ['endpoint'], url: c.endpoint }], ctx));

export type AmplitudeConfig = z.output<typeof amplitudeConfigSchema>;

/** The query URL; `endpoint` replaces the host (scheme, host and any path prefix). */
export function amplitudeQueryUrl(cfg: Pick<AmplitudeConfig, 'endpoint' | 'host' | 'orgId'>): string {
  const base = (cfg.endpoint ?? (cfg.host === 'eu' ? AMPLITUDE_EU_URL : AMPLITUDE_US_URL)).replace(/\/+$/, '');
  return `${base}/api/2/audit-logs/${encodeURIComponent(cfg.orgId)}`;
}
