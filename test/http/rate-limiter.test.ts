import { describe, expect, it } from 'vitest';
import { createSemaphore } from '../../src/http/concurrency.js';
import { createRateLimiter } from '../../src/http/rate-limiter.js';
import { virtualClock } from './helpers.js';

describe('createRateLimiter', () => {
  it('spaces takes at 1/rate with burst 1 (CloudTrail: 2 per second)', async () => {
    const clock = virtualClock(0);
    const limiter = createRateLimiter({ ratePerSecond: 2, clock });
    const granted: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => limiter.take().then(() => granted.push(clock.now()))));
    expect(granted).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it('lets a burst through back to back, then refills at the rate', async () => {
    const clock = virtualClock(0);
    const limiter = createRateLimiter({ ratePerSecond: 10, burst: 3, clock });
    const granted: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.take();
      granted.push(clock.now());
    }
    expect(granted).toEqual([0, 0, 0, 100, 200]);
  });

  it('refills while idle, never above the burst', async () => {
    const clock = virtualClock(0);
    const limiter = createRateLimiter({ ratePerSecond: 1, burst: 2, clock });
    await limiter.take();
    await limiter.take();
    await clock.sleep(60_000);
    const start = clock.now();
    const granted: number[] = [];
    for (let i = 0; i < 3; i++) {
      await limiter.take();
      granted.push(clock.now() - start);
    }
    expect(granted).toEqual([0, 0, 1000]);
  });

  it('rejects a queued waiter as soon as its signal aborts, and the others still get served', async () => {
    const clock = virtualClock(0);
    const limiter = createRateLimiter({ ratePerSecond: 1, clock });
    await limiter.take();
    const ac = new AbortController();
    const aborted = limiter.take(ac.signal);
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    await limiter.take();
    expect(clock.now()).toBe(1000);
  });

  it('refuses a non-positive rate', () => {
    expect(() => createRateLimiter({ ratePerSecond: 0, clock: virtualClock() })).toThrow(RangeError);
  });
});

describe('createSemaphore', () => {
  it('grants at most `limit` at once, in arrival order', async () => {
    const sem = createSemaphore(2);
    const order: number[] = [];
    const r1 = await sem.acquire();
    await sem.acquire();
    const third = sem.acquire().then((r) => (order.push(3), r));
    const fourth = sem.acquire().then((r) => (order.push(4), r));
    expect(sem.inFlight()).toBe(2);
    r1();
    r1(); // a second release of the same grant is ignored
    await third;
    expect(order).toEqual([3]);
    expect(sem.inFlight()).toBe(2);
    (await third)();
    await fourth;
    expect(order).toEqual([3, 4]);
  });

  it('drops an aborted waiter from the queue', async () => {
    const sem = createSemaphore(1);
    const release = await sem.acquire();
    const ac = new AbortController();
    const waiting = sem.acquire(ac.signal);
    ac.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    release();
    expect(sem.inFlight()).toBe(0);
  });
});
