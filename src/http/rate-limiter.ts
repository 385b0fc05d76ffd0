import type { Clock } from '../util/clock.js';

export interface RateLimiter {
  /** Resolves when a request may start; rejects with the signal's reason if aborted while waiting. */
  take(signal?: AbortSignal): Promise<void>;
}

export interface RateLimiterOptions {
  ratePerSecond: number;
  /** Requests allowed back to back after an idle period (bucket size); default 1. */
  burst?: number;
  clock: Clock;
}

/**
 * Token bucket driven by `clock`: tokens refill at `ratePerSecond`, up to `burst`. Waiters are served
 * in arrival order. Used by the HTTP client and on its own by sources that call an SDK (CloudTrail
 * LookupEvents: 2 requests/s per account and region, https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
 */
export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  if (!(opts.ratePerSecond > 0) || !Number.isFinite(opts.ratePerSecond)) {
    throw new RangeError(`ratePerSecond must be a positive number, got ${opts.ratePerSecond}`);
  }
  const burst = Math.max(1, Math.floor(opts.burst ?? 1));
  const { clock, ratePerSecond } = opts;
  let tokens = burst;
  let last = clock.now();
  let queue: Promise<void> = Promise.resolve();

  function refill(): void {
    const now = clock.now();
    // A clock moved backwards (manual clock in tests, NTP step) must not drain the bucket.
    const elapsed = Math.max(0, now - last);
    last = now;
    tokens = Math.min(burst, tokens + (elapsed * ratePerSecond) / 1000);
  }

  async function acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await clock.sleep(Math.max(1, Math.ceil(((1 - tokens) * 1000) / ratePerSecond)), signal);
    }
  }

  return {
    take(signal) {
      const turn = queue.then(() => acquire(signal));
      const waitTurn = signal ? raceAbort(turn, signal) : turn;
      queue = waitTurn.catch(() => undefined);
      return waitTurn;
    },
  };
}

/** Rejects as soon as `signal` aborts, even while still queued behind other waiters. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Rate limiters shared by name for a whole run: a limit that belongs to an account and not to a
 * source (CloudTrail's 2 requests/s per account and region) is one bucket however many sources
 * of the config reach that account. The first source to ask for a name sets its rate.
 */
export interface RateLimiterRegistry {
  get(name: string, create: () => RateLimiter): RateLimiter;
}

export function createRateLimiterRegistry(): RateLimiterRegistry {
  const limiters = new Map<string, RateLimiter>();
  return {
    get(name, create) {
      let l = limiters.get(name);
      if (!l) {
        l = create();
        limiters.set(name, l);
      }
      return l;
    },
  };
}
