import { SCHEMA_REF } from './json-schema.js';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/**
 * What `auditpack init` writes for each source type: the keys a user must fill in, with
 * placeholders that pass the schema's checks (so the file validates as written) and the names of
 * environment variables that will hold the secrets. Keys with good defaults are left out.
 */
const STARTERS: Readonly<Record<string, Record<string, Json>>> = {
  smapi: {
    vendorId: 'YOUR_VENDOR_ID',
    auth: { refreshTokenEnv: 'LWA_REFRESH_TOKEN', clientIdEnv: 'LWA_CLIENT_ID', clientSecretEnv: 'LWA_CLIENT_SECRET' },
  },
  cloudtrail: { regions: ['us-east-1'] },
  'cloudtrail-files': { location: 's3://your-trail-bucket/your-prefix', accounts: ['123456789012'], verifyDigests: true },
  'cloudtrail-athena': {
    region: 'us-east-1',
    trailLocation: 's3://your-trail-bucket/your-prefix',
    outputLocation: 's3://your-athena-results-bucket/auditpack/',
    accounts: ['123456789012'],
    regions: ['us-east-1'],
  },
  'trail-logs': { region: 'global', apiKeyEnv: 'TRAIL_LOGS_API_KEY' },
  amplitude: { orgId: 'YOUR_ORG_ID', apiKeyEnv: 'AMPLITUDE_ORG_API_KEY', secretKeyEnv: 'AMPLITUDE_ORG_SECRET_KEY' },
};

/** AWS sources read credentials from the standard AWS chain, not from the config. */
const AWS_TYPES = new Set(['cloudtrail', 'cloudtrail-files', 'cloudtrail-athena']);

export interface StarterConfig {
  config: Record<string, Json>;
  /** Every `...Env` name in it, in order: the variables to set before a run. */
  envNames: string[];
  usesAws: boolean;
}

export function hasStarter(type: string): boolean {
  return type in STARTERS;
}

export function starterConfig(types: readonly string[], opts: { timeZone: string; schemaRef?: string }): StarterConfig {
  const sources = types.map((type) => ({ type, ...(STARTERS[type] ?? {}) }));
  const config: Record<string, Json> = {
    $schema: opts.schemaRef ?? SCHEMA_REF,
    organization: 'YOUR ORGANIZATION',
    timezone: opts.timeZone,
    signOff: { preparedBy: 'YOUR NAME', reviewedBy: 'YOUR REVIEWER' },
    sources,
  };
  return { config, envNames: [...new Set(envNamesIn(sources))], usesAws: types.some((t) => AWS_TYPES.has(t)) };
}

function envNamesIn(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(envNamesIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k.endsWith('Env') && typeof v === 'string' ? [v] : envNamesIn(v)));
}
