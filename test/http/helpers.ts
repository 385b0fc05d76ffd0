import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/util/clock.js';

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
