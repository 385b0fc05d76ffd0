import { describe, expect, it } from 'vitest';
import { json, type RunningEmulator } from '../../src/emulators/kit/server.js';
import { emptyStats } from '../../src/model/coverage.js';
import { httpTestKit, rejection, reply } from './helpers.js';

const kit = httpTestKit({ baseDelayMs: 1, maxDelayMs: 5 });
const client = kit.client;

async function emulator(body: unknown = { items: Array.from({ length: 20 }, (_, i) => ({ id: i })) }): Promise<RunningEmulator> {
  return kit.emulator(() => json(200, body));
}

describe('request deadline', () => {
  it('ends a response dripping one byte at a time, which no idle timeout ever trips', async () => {
    const emu = await emulator();
    // A byte every 20 ms: the idle (body) timeout of 1 s is never reached; only the total deadline ends it.
    emu.faults.every(1, { kind: 'drip', intervalMs: 20 });
    const stats = emptyStats();
    const e = await rejection(client({ bodyTimeoutMs: 1000, requestTimeoutMs: 150, retry: { maxAttempts: 2 } }).json({ method: 'GET', url: `${emu.url}/logs`, label: 'logs page 1' }, stats));
    expect(e.code).toBe('HTTP_TIMEOUT');
    expect(e.message).toMatch(/^logs page 1: no complete response within 150 ms \(the request deadline.*\(after 2 attempts\)$/);
    expect(e.hint).toMatch(/requestTimeoutMs/);
    expect(stats.attempts).toBe(2);
    expect(emu.requestCount()).toBe(2);
  });

  it('an abort by the caller is still an interruption, not a deadline', async () => {
    const emu = await emulator();
    emu.faults.every(1, { kind: 'drip', intervalMs: 20 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const e = await rejection(client({ requestTimeoutMs: 5000 }).json({ method: 'GET', url: `${emu.url}/logs`, signal: ac.signal }, emptyStats()));
    expect(e.code).toBe('ABORTED');
  });
});

describe('response size cap', () => {
  it('refuses a body past maxResponseBytes as it streams, without retrying', async () => {
    const emu = await emulator();
    emu.faults.every(1, { kind: 'bad-body', body: 'huge', bytes: 3 * 1024 * 1024 });
    const stats = emptyStats();
    const e = await rejection(client({ maxResponseBytes: 1024 * 1024 }).json({ method: 'GET', url: `${emu.url}/logs`, label: 'logs page 1' }, stats));
    expect(e.code).toBe('RESPONSE_TOO_LARGE');
    expect(e.message).toMatch(/^logs page 1: the response body is larger than the 1 MiB allowed/);
    expect(e.hint).toMatch(/maxResponseBytes/);
    expect(stats.attempts).toBe(1);
  });

  it('refuses a declared Content-Length past the cap before reading it, and a chunked body as it passes', async () => {
    const srv = await kit.scripted((_req, res, n) => {
      const big = JSON.stringify({ padding: 'x'.repeat(5000) });
      if (n === 1) return reply(res, 200, big, { 'content-length': String(big.length) });
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 10; i++) res.write(`${i === 0 ? '[' : ','}"${'y'.repeat(998)}"`);
      res.end(']');
    });
    const c = client({ maxResponseBytes: 4096 });
    const declared = await rejection(c.json({ method: 'GET', url: `${srv.url}/a` }, emptyStats()));
    expect(declared.code).toBe('RESPONSE_TOO_LARGE');
    expect(declared.message).toMatch(/declared/);
    const chunked = await rejection(c.json({ method: 'GET', url: `${srv.url}/b` }, emptyStats()));
    expect(chunked.code).toBe('RESPONSE_TOO_LARGE');
    expect(chunked.message).toMatch(/more than 4096 bytes received/);
  });

  it('reads a body just under the cap', async () => {
    const emu = await emulator({ padding: 'z'.repeat(900) });
    const res = await client({ maxResponseBytes: 1024 }).json<{ padding: string }>({ method: 'GET', url: `${emu.url}/logs` }, emptyStats());
    expect(res.body.padding).toHaveLength(900);
  });
});
