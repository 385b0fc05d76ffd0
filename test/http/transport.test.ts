import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { json, type RunningEmulator } from '../../src/emulators/kit/server.js';
import { emptyStats } from '../../src/model/coverage.js';
import { systemClock, type Clock } from '../../src/util/clock.js';
import { delay, httpTestKit, rejection, reply, virtualClock } from './helpers.js';

const kit = httpTestKit({ baseDelayMs: 10, maxDelayMs: 100 });
const { client, scripted } = kit;

async function emulator(): Promise<RunningEmulator> {
  return kit.emulator((req) => json(200, { items: Array.from({ length: 20 }, (_, i) => ({ id: i, path: req.path })) }));
}

describe('connection faults', () => {
  it('retries a reset connection then succeeds', async () => {
    const emu = await emulator();
    emu.faults.enqueue({ kind: 'reset' }, { kind: 'reset' });
    const rec = emptyStats();
    const out = await client().json<{ items: unknown[] }>({ method: 'GET', url: `${emu.url}/logs` }, rec);
    expect(out.body.items).toHaveLength(20);
    expect(rec).toMatchObject({ attempts: 3, retries: 2, throttles: 0 });
  });

  it('ends with HTTP_NETWORK when resets persist', async () => {
    const emu = await emulator();
    emu.faults.every(1, { kind: 'reset' });
    const e = await rejection(client({ retry: { maxAttempts: 2 } }).request({ method: 'GET', url: `${emu.url}/logs` }, emptyStats()));
    expect(e.code).toBe('HTTP_NETWORK');
    expect(e.cause).toBeDefined();
    expect(emu.requestCount()).toBe(2);
  });

  it('retries a truncated body (connection dropped mid-body) then succeeds', async () => {
    const emu = await emulator();
    emu.faults.enqueue({ kind: 'truncate' });
    const rec = emptyStats();
    const out = await client().json<{ items: unknown[] }>({ method: 'GET', url: `${emu.url}/logs` }, rec);
    expect(out.body.items).toHaveLength(20);
    expect(rec).toMatchObject({ attempts: 2, retries: 1 });
  });

  it('reads a slow body that stays within the body timeout', async () => {
    const emu = await emulator();
    emu.faults.enqueue({ kind: 'slow-body', delayMs: 100 });
    const rec = emptyStats();
    const out = await client({ bodyTimeoutMs: 5000 }).json<{ items: unknown[] }>({ method: 'GET', url: `${emu.url}/logs` }, rec);
    expect(out.body.items).toHaveLength(20);
    expect(rec).toMatchObject({ attempts: 1, retries: 0 });
  });

  it('fails with HTTP_TIMEOUT when the headers timeout is hit', async () => {
    const emu = await emulator();
    emu.faults.every(1, { kind: 'slow', delayMs: 5000 });
    const e = await rejection(client({ headersTimeoutMs: 50, retry: { maxAttempts: 2 } }).request({ method: 'GET', url: `${emu.url}/logs` }, emptyStats()));
    expect(e.code).toBe('HTTP_TIMEOUT');
    expect(e.message).toContain('waiting for the response');
    expect((e.cause as { code?: string }).code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(emu.requestCount()).toBe(2);
  });

  it('fails with HTTP_TIMEOUT when the body timeout is hit', async () => {
    const emu = await emulator();
    emu.faults.every(1, { kind: 'slow-body', delayMs: 5000 });
    const e = await rejection(client({ bodyTimeoutMs: 50, retry: { maxAttempts: 1 } }).request({ method: 'GET', url: `${emu.url}/logs` }, emptyStats()));
    expect(e.code).toBe('HTTP_TIMEOUT');
    expect((e.cause as { code?: string }).code).toBe('UND_ERR_BODY_TIMEOUT');
  });

  it('reports SOURCE_UNREACHABLE naming host:port after retrying a refused connection', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const rec = emptyStats();
    const e = await rejection(client({ retry: { maxAttempts: 3 } }).request({ method: 'GET', url: `http://127.0.0.1:${port}/x` }, rec));
    expect(e.code).toBe('SOURCE_UNREACHABLE');
    expect(e.fatal).toBe(true);
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(e.oneLine).toContain('endpoint');
    expect(rec).toMatchObject({ attempts: 3, retries: 2 });
  });
});

describe('abort', () => {
  it('stops waiting immediately when aborted during backoff', { timeout: 5000 }, async () => {
    const s = await scripted((_q, res) => reply(res, 503, {}));
    const ac = new AbortController();
    // A real clock with a 60 s backoff: only an abort that interrupts the sleep ends this test in time.
    const clock: Clock = {
      now: systemClock.now,
      sleep: (ms, signal) => {
        setImmediate(() => ac.abort());
        return systemClock.sleep(ms, signal);
      },
    };
    const c = client({ retry: { baseDelayMs: 120_000, maxDelayMs: 120_000 } }, clock);
    const rec = emptyStats();
    const e = await rejection(c.request({ method: 'GET', url: s.url, signal: ac.signal }, rec));
    expect(e.code).toBe('ABORTED');
    expect(rec).toMatchObject({ attempts: 1, retries: 1, retryWaitMs: 60_000 });
    expect(s.requests()).toBe(1);
  });

  it('aborts a request in flight', { timeout: 5000 }, async () => {
    const s = await scripted(() => undefined); // never answers
    const ac = new AbortController();
    const p = client().request({ method: 'GET', url: s.url, signal: ac.signal }, emptyStats());
    while (s.requests() === 0) await delay(5);
    ac.abort();
    expect((await rejection(p)).code).toBe('ABORTED');
  });

  it('does not send when already aborted', async () => {
    const s = await scripted((_q, res) => reply(res, 200, {}));
    const e = await rejection(client().request({ method: 'GET', url: s.url, signal: AbortSignal.abort() }, emptyStats()));
    expect(e.code).toBe('ABORTED');
    expect(s.requests()).toBe(0);
  });
});

describe('pooling and limits', () => {
  it('reuses connections: 20 sequential requests on far fewer sockets', async () => {
    const s = await scripted((_q, res) => reply(res, 200, {}));
    const c = client({ concurrency: 4 });
    for (let i = 0; i < 20; i++) await c.request({ method: 'GET', url: `${s.url}/${i}` }, emptyStats());
    expect(s.requests()).toBe(20);
    expect(s.sockets()).toBeLessThanOrEqual(4);
  });

  it('keeps at most `concurrency` requests in flight, on at most twice as many sockets', async () => {
    const s = await scripted(async (_q, res) => {
      await delay(20);
      reply(res, 200, {});
    });
    const c = client({ concurrency: 3 });
    const rec = emptyStats();
    await Promise.all(Array.from({ length: 12 }, (_, i) => c.request({ method: 'GET', url: `${s.url}/${i}` }, rec)));
    expect(s.requests()).toBe(12);
    expect(s.maxInFlight()).toBe(3);
    expect(s.sockets()).toBeGreaterThanOrEqual(3);
    expect(s.sockets()).toBeLessThanOrEqual(6);
    expect(rec.attempts).toBe(12);
  });

  it('spaces requests by requestsPerSecond, measured on the injected clock', async () => {
    const clock = virtualClock(0);
    const seenAt: number[] = [];
    const s = await scripted((_q, res) => {
      seenAt.push(clock.now());
      reply(res, 200, {});
    });
    // One in flight, so each request reaches the server before virtual time moves on.
    const c = client({ requestsPerSecond: 4, concurrency: 1 }, clock);
    await Promise.all(Array.from({ length: 5 }, () => c.request({ method: 'GET', url: s.url }, emptyStats())));
    expect(seenAt).toEqual([0, 250, 500, 750, 1000]);
    expect(clock.sleeps).toEqual([250, 250, 250, 250]);
  });
});
