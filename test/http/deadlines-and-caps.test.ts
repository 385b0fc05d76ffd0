import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/http/client.js';
import type { HttpClient, HttpClientOptions } from '../../src/http/types.js';
import { AuditpackError } from '../../src/errors.js';
import { json, startEmulator, type RunningEmulator } from '../../src/emulators/kit/server.js';
import { emptyStats } from '../../src/model/coverage.js';
import { silentLogger } from '../../src/util/logger.js';
import { reply, startScripted, virtualClock } from './helpers.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

function client(opts: HttpClientOptions = {}): HttpClient {
  const c = createHttpClient({ ...opts, retry: { baseDelayMs: 1, maxDelayMs: 5, ...opts.retry } }, { clock: virtualClock(), log: silentLogger, random: () => 0.5 });
  open.push(c);
  return c;
}

async function emulator(body: unknown = { items: Array.from({ length: 20 }, (_, i) => ({ id: i })) }): Promise<RunningEmulator> {
  const emu = await startEmulator(() => json(200, body));
  open.push(emu);
  return emu;
}

async function rejection(p: Promise<unknown>): Promise<AuditpackError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AuditpackError);
    return e as AuditpackError;
  }
  throw new Error('expected a rejection');
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
    const srv = await startScripted((_req, res, n) => {
      const big = JSON.stringify({ padding: 'x'.repeat(5000) });
      if (n === 1) return reply(res, 200, big, { 'content-length': String(big.length) });
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 10; i++) res.write(`${i === 0 ? '[' : ','}"${'y'.repeat(998)}"`);
      res.end(']');
    });
    open.push(srv);
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
