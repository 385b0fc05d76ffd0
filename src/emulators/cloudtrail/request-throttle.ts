/**
 * The server side of LookupEvents' limit, 2 requests per second per account and region
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html): one token bucket per key, refilled in real (monotonic) time so a test's
 * manual clock for "now" does not freeze it. The burst of the real service is undocumented.
 */
export interface RequestThrottle {
  /** True if the request may proceed (a token was taken); false: answer ThrottlingException. */
  tryTake(key: string): boolean;
}

export interface ThrottleSettings {
  requestsPerSecond: number;
  burst: number;
}

export function createRequestThrottle(settings: ThrottleSettings, now: () => number = () => performance.now()): RequestThrottle {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    tryTake(key) {
      const t = now();
      const b = buckets.get(key) ?? { tokens: settings.burst, at: t };
      b.tokens = Math.min(settings.burst, b.tokens + ((t - b.at) * settings.requestsPerSecond) / 1000);
      b.at = t;
      buckets.set(key, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}
