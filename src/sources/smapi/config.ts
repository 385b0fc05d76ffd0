import { z } from 'zod';
import { endpointField, envNameField, fileNameField, networkLimitsShape, refineInsecureEndpoints } from '../config-fields.js';

/** Production endpoints (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html). `endpoint` / `auth.tokenEndpoint` point elsewhere (an emulator, a proxy, another region). */
const SMAPI_DEFAULT_ENDPOINT = 'https://api.amazonalexa.com';
export const LWA_DEFAULT_TOKEN_ENDPOINT = 'https://api.amazon.com/auth/o2/token';
export const SMAPI_QUERY_PATH = '/v1/developmentAuditLogs/query';
/** https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html: maxResults default 50, at most 200. */
const SMAPI_MAX_PAGE_SIZE = 200;

const envName = envNameField;
const fileName = fileNameField;
const nonEmpty = z.string().min(1);

const authSchema = z
  .object({
    /** A ready LWA access token (e.g. from `ask util generate-lwa-tokens`); it cannot be refreshed. */
    accessTokenEnv: envName.optional(),
    accessTokenFile: fileName.optional(),
    /** LWA refresh token + the security profile's client id and secret, exchanged at `tokenEndpoint`. */
    refreshTokenEnv: envName.optional(),
    refreshTokenFile: fileName.optional(),
    clientIdEnv: envName.optional(),
    clientIdFile: fileName.optional(),
    clientSecretEnv: envName.optional(),
    clientSecretFile: fileName.optional(),
    tokenEndpoint: endpointField('https://api.amazon.com/auth/o2/token').optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const has = (env?: string, file?: string) => env !== undefined || file !== undefined;
    const both = (env: string | undefined, file: string | undefined, field: string) => {
      if (env !== undefined && file !== undefined) ctx.addIssue({ code: 'custom', path: [`${field}Env`], message: `give ${field}Env or ${field}File, not both` });
    };
    both(a.accessTokenEnv, a.accessTokenFile, 'accessToken');
    both(a.refreshTokenEnv, a.refreshTokenFile, 'refreshToken');
    both(a.clientIdEnv, a.clientIdFile, 'clientId');
    both(a.clientSecretEnv, a.clientSecretFile, 'clientSecret');
    const access = has(a.accessTokenEnv, a.accessTokenFile);
    const refreshParts = [has(a.refreshTokenEnv, a.refreshTokenFile), has(a.clientIdEnv, a.clientIdFile), has(a.clientSecretEnv, a.clientSecretFile)];
    const anyRefresh = refreshParts.some(Boolean);
    if (access && anyRefresh) {
      ctx.addIssue({ code: 'custom', path: ['accessTokenEnv'], message: 'give either an access token or a refresh token with client id and secret, not both' });
    } else if (!access && !anyRefresh) {
      ctx.addIssue({
        code: 'custom',
        path: ['refreshTokenEnv'],
        message: 'smapi auth needs refreshTokenEnv + clientIdEnv + clientSecretEnv (names of environment variables), or accessTokenEnv',
      });
    } else if (anyRefresh && !refreshParts.every(Boolean)) {
      const missing = ['refreshToken', 'clientId', 'clientSecret'].filter((_, i) => !refreshParts[i]);
      ctx.addIssue({ code: 'custom', path: [`${missing[0]}Env`], message: `the refresh-token flow also needs ${missing.map((m) => `${m}Env`).join(' and ')}` });
    }
  });

const filtersSchema = z
  .object({
    operations: z.array(z.object({ name: nonEmpty, version: nonEmpty }).strict()).optional(),
    resources: z
      .array(
        z
          .object({ id: nonEmpty.optional(), type: z.enum(['Skill', 'InSkillProduct', 'SkillCatalog', 'Import', 'Export']).optional() })
          .strict()
          .refine((r) => r.id !== undefined || r.type !== undefined, { error: 'a resource filter needs an id or a type' }),
      )
      .optional(),
    requesters: z.array(z.object({ userId: nonEmpty }).strict()).optional(),
    clients: z.array(z.object({ id: nonEmpty }).strict()).optional(),
    /** Strings, as the API wants them (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html); numbers are accepted here and sent as strings. */
    httpResponseCodes: z.array(z.union([z.string().regex(/^\d{3}$/, { error: 'a response code is three digits, e.g. "403"' }), z.number().int().min(100).max(599)])).optional(),
  })
  .strict();

export const smapiConfigSchema = z
  .object({
    type: z.literal('smapi'),
    name: z.string().min(1).optional(),
    vendorId: z.string({ error: 'vendorId is required: your Amazon developer vendor ID (developer console → Settings → Customer Details)' }).min(1, { error: 'vendorId must not be empty' }).max(255),
    endpoint: endpointField('https://api.amazonalexa.com').optional(),
    auth: authSchema,
    filters: filtersSchema.optional(),
    /** Query window length in hours (the API's maximum window is undocumented, https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html). */
    windowHours: z.number().int().min(1).max(24 * 31).default(24),
    pageSize: z.number().int().min(1).max(SMAPI_MAX_PAGE_SIZE).default(SMAPI_MAX_PAGE_SIZE),
    concurrency: z.number().int().min(1).max(16).default(4),
    /** The API's rate limit is undocumented (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html); set this to stay under yours. */
    requestsPerSecond: z.number().positive().max(1000).optional(),
    ...networkLimitsShape(),
  })
  .strict()
  .superRefine((c, ctx) =>
    refineInsecureEndpoints(
      c,
      [
        { path: ['endpoint'], url: c.endpoint },
        { path: ['auth', 'tokenEndpoint'], url: c.auth.tokenEndpoint },
      ],
      ctx,
    ),
  );

export type SmapiConfigInput = z.input<typeof smapiConfigSchema>;
export type SmapiConfig = z.output<typeof smapiConfigSchema>;
export type SmapiFilters = NonNullable<SmapiConfig['filters']>;

/** The query URL below any path prefix of `endpoint`. */
export function smapiQueryUrl(endpoint: string | undefined): string {
  const base = (endpoint ?? SMAPI_DEFAULT_ENDPOINT).replace(/\/+$/, '');
  return `${base}${SMAPI_QUERY_PATH}`;
}
