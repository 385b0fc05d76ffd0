import { AthenaClient } from '@aws-sdk/client-athena';
import type { Redactor } from '../../util/redactor.js';
import { credentialSettings } from '../cloudtrail/clients.js';
import type { CloudtrailAthenaConfig } from './config.js';

/**
 * An Athena client in the config's region, on the standard AWS credential chain (or `profile`, or
 * keys in the environment auditpack was given: src/sources/cloudtrail/clients.ts), `endpoint`
 * overriding AWS's. The SDK does not retry: the query runner's retry does, and counts it.
 */
export function createAthenaClient(
  cfg: Pick<CloudtrailAthenaConfig, 'region' | 'endpoint' | 'profile'>,
  deps: { env: NodeJS.ProcessEnv; redactor: Redactor },
): AthenaClient {
  return new AthenaClient({
    region: cfg.region,
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    ...credentialSettings(cfg, deps.env, deps.redactor),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 },
  });
}
