import { CloudTrailClient, type CloudTrailClientConfig } from '@aws-sdk/client-cloudtrail';
import { AuditpackError } from '../../errors.js';
import { createRateLimiter, createRateLimiterRegistry, type RateLimiter, type RateLimiterRegistry } from '../../http/rate-limiter.js';
import type { Clock } from '../../util/clock.js';
import type { Redactor } from '../../util/redactor.js';
import type { CloudTrailConfig } from './config.js';

/** One region's SDK client and the rate limiter of the (access key, region) it calls as. */
export interface RegionLane {
  region: string;
  client: CloudTrailClient;
  limiter: RateLimiter;
}

export interface RegionLanes {
  lane(region: string, signal: AbortSignal): Promise<RegionLane>;
  close(): void;
}

/**
 * Where credentials come from, in this order: `profile` in the config; AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) in the environment auditpack was given; AWS_PROFILE
 * there; otherwise the SDK's standard chain (SSO, web identity, container and instance roles).
 * Secrets are registered with the redactor and never logged.
 */
export function credentialSettings(cfg: Pick<CloudTrailConfig, 'profile'>, env: NodeJS.ProcessEnv, redactor: Redactor): Partial<CloudTrailClientConfig> {
  if (cfg.profile) return { profile: cfg.profile };
  const id = env.AWS_ACCESS_KEY_ID?.trim();
  const secret = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (id && secret) {
    const sessionToken = env.AWS_SESSION_TOKEN?.trim() || undefined;
    redactor.add(secret);
    redactor.add(sessionToken);
    return { credentials: { accessKeyId: id, secretAccessKey: secret, ...(sessionToken ? { sessionToken } : {}) } };
  }
  const profile = env.AWS_PROFILE?.trim();
  return profile ? { profile } : {};
}

/**
 * The limit is 2 requests/s per account and region (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html). The account is not known
 * without an extra STS call, so the bucket is keyed by region and access key id: one per key is
 * at least as strict as one per account unless two keys of one account run in the same process.
 * The buckets come from the run's registry, so every window of every cloudtrail source of the run
 * that uses the same key and region shares one.
 */
export function createRegionLanes(
  cfg: CloudTrailConfig,
  deps: { env: NodeJS.ProcessEnv; redactor: Redactor; clock: Clock; rateLimiters?: RateLimiterRegistry },
): RegionLanes {
  const creds = credentialSettings(cfg, deps.env, deps.redactor);
  const clients = new Map<string, CloudTrailClient>();
  const limiters = deps.rateLimiters ?? createRateLimiterRegistry();
  const lanes = new Map<string, Promise<RegionLane>>();

  const clientFor = (region: string): CloudTrailClient => {
    let c = clients.get(region);
    if (!c) {
      c = new CloudTrailClient({
        region,
        ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
        ...creds,
        // Retries are the shared strategy's (src/http/retry-strategy.ts, called in lookup-page.ts),
        // not the SDK's: the same classification, retry budget and ledger counts as every HTTP
        // source, and each retry waits for the (key, region) rate limiter, which a retry inside the
        // SDK would bypass. The per-attempt deadline is ours too (an abort signal per attempt).
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 },
      });
      clients.set(region, c);
    }
    return c;
  };

  const open = async (region: string): Promise<RegionLane> => {
    const client = clientFor(region);
    let accessKeyId: string;
    try {
      const identity = await client.config.credentials();
      accessKeyId = identity.accessKeyId;
      deps.redactor.add(identity.secretAccessKey);
      deps.redactor.add(identity.sessionToken);
    } catch (cause) {
      throw new AuditpackError('AUTH_REFUSED', 'no AWS credentials found for the cloudtrail source', {
        cause,
        hint: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or "profile" in the source config (or run where an IAM role is available)',
      });
    }
    const limiter = limiters.get(`cloudtrail|${region}|${accessKeyId}`, () => createRateLimiter({ ratePerSecond: cfg.requestsPerSecond, burst: 1, clock: deps.clock }));
    return { region, client, limiter };
  };

  return {
    lane(region, signal) {
      signal.throwIfAborted();
      let p = lanes.get(region);
      if (!p) {
        p = open(region);
        lanes.set(region, p);
        // A failed credential lookup is not cached: the next window tries again.
        p.catch(() => lanes.delete(region));
      }
      return p;
    },
    close() {
      for (const c of clients.values()) c.destroy();
      clients.clear();
      lanes.clear();
    },
  };
}
