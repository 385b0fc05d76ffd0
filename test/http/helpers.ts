import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect } from 'vitest';
import { AuditpackError } from '../../src/errors.js';
import { startEmulator, type EmuHandler, type RunningEmulator } from '../../src/emulators/kit/server.js';
import { createHttpClient } from '../../src/http/client.js';
import type { HttpClient, HttpClientOptions } from '../../src/http/types.js';
import type { Clock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';

/** Answers request number `n` (from 1); may answer later (async) or never. */
export type Script = (req: IncomingMessage, res: ServerResponse, n: number) => void | Promise<void>;

export interface ScriptedServer {
  url: string;
  port: number;
  requests(): number;
  sockets(): number;
  maxInFlight(): number;
  close(): Promise<void>;
}

/** A real node:http server on 127.0.0.1, port 0, scripted per request (as undici's own tests do). */
export async function startScripted(script: Script): Promise<ScriptedServer> {
  let n = 0;
  let sockets = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    n++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      inFlight--;
    };
    res.on('finish', finish);
    res.on('close', finish);
    req.resume();
    req.on('end', () => void script(req, res, n));
  });
  server.on('connection', () => {
    sockets++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => n,
    sockets: () => sockets,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

/**
 * Virtual time: `sleep` moves `now` forward by the requested amount and returns on the next turn of
 * the event loop, so waits cost no wall time and every wait is recorded.
 */
export function virtualClock(start = 1_700_000_000_000): Clock & { sleeps: number[] } {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        sleeps.push(ms);
        t += Math.max(0, ms);
        setImmediate(() => (signal?.aborted ? reject(signal.reason) : resolve()));
      }),
  };
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The AuditpackError a promise rejects with; fails the test if it resolves or throws anything else. */
export async function rejection(p: Promise<unknown>): Promise<AuditpackError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AuditpackError);
    return e as AuditpackError;
  }
  throw new Error('expected a rejection');
}

/**
 * Servers and clients a test file opens, closed after each test. Call once at the top of the file;
 * `retry` is the file's default backoff (tests override per client).
 */
export function httpTestKit(retry: { baseDelayMs: number; maxDelayMs: number }) {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((x) => x.close()));
  });
  function track<T extends { close(): Promise<void> }>(x: T): T {
    open.push(x);
    return x;
  }
  return {
    track,
    /** A client on a virtual clock (no wall time waited) with jitter fixed at half the range. */
    client: (opts: HttpClientOptions = {}, clock: Clock = virtualClock(), random = () => 0.5): HttpClient =>
      track(createHttpClient({ ...opts, retry: { ...retry, ...opts.retry } }, { clock, log: silentLogger, random })),
    scripted: async (script: Script): Promise<ScriptedServer> => track(await startScripted(script)),
    emulator: async (handler: EmuHandler): Promise<RunningEmulator> => track(await startEmulator(handler)),
  };
}
