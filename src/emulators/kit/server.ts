import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { badBodyText, createFaults, parseFault, type Fault, type FaultController } from './faults.js';

/** What an emulator's handler gets: the parsed request, and helpers to answer. */
export interface EmuRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface EmuResponse {
  status: number;
  headers?: Record<string, string>;
  /** Text, or bytes (an object an S3-style read serves). */
  body: string | Buffer;
}

export type EmuHandler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

export interface RunningEmulator {
  url: string;
  port: number;
  faults: FaultController;
  /** Requests seen, including faulted ones (control calls excluded). */
  requestCount(): number;
  close(): Promise<void>;
}

export interface StartOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Paths never faulted (e.g. the token endpoint when only the API should fail). */
  noFaultPaths?: string[];
  /**
   * More control endpoints beside `faults`: `POST /__emulator/<name>` with a JSON body calls
   * `controls[name]`, whose result is the JSON answer (a thrown Error is a 400). Never faulted or counted.
   */
  controls?: Record<string, (body: unknown) => unknown>;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): EmuResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/**
 * Starts a real HTTP server on 127.0.0.1. Every request first passes the fault controller; the
 * control endpoint `POST /__emulator/faults` (body: {"enqueue":["429:1"],"every":[{"n":5,"fault":"503"}],"clear":true})
 * switches faults from outside the process (`auditpack emulate`); an emulator adds its own (`controls`).
 */
export async function startEmulator(handler: EmuHandler, opts: StartOptions = {}): Promise<RunningEmulator> {
  const faults = createFaults();
  let count = 0;
  const server: Server = createServer((req, res) => {
    void serve(req, res);
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body = '';
    try {
      for await (const chunk of req) body += chunk;
    } catch {
      return;
    }
    if (url.pathname === '/__emulator/faults') return control(body, res);
    const custom = url.pathname.startsWith('/__emulator/') ? opts.controls?.[url.pathname.slice('/__emulator/'.length)] : undefined;
    if (custom) return customControl(custom, body, res);
    count++;
    const fault = opts.noFaultPaths?.some((p) => url.pathname.startsWith(p)) ? null : faults.take(url.pathname);
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      res.writeHead(fault.status, headers);
      res.end(fault.body ?? JSON.stringify({ message: `emulated fault ${fault.status}` }));
      return;
    }
    if (fault?.kind === 'bad-body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(badBodyText(fault));
      return;
    }
    let answer: EmuResponse;
    try {
      answer = await handler({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body });
    } catch (e) {
      answer = json(500, { message: `emulator error: ${e instanceof Error ? e.message : String(e)}` });
    }
    await send(res, answer, fault);
  }

  function control(body: string, res: ServerResponse): void {
    try {
      const cmd = (body ? JSON.parse(body) : {}) as { clear?: boolean; enqueue?: string[]; every?: { n: number; fault: string; times?: number }[] };
      if (cmd.clear) faults.clear();
      for (const f of cmd.enqueue ?? []) faults.enqueue(parseFault(f));
      for (const r of cmd.every ?? []) faults.every(r.n, parseFault(r.fault), { times: r.times });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(faults.describe()));
    } catch (e) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: e instanceof Error ? e.message : String(e) }));
    }
  }

  function customControl(fn: (body: unknown) => unknown, body: string, res: ServerResponse): void {
    try {
      const answer = fn(body ? (JSON.parse(body) as unknown) : {});
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer ?? {}));
    } catch (e) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: e instanceof Error ? e.message : String(e) }));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    faults,
    requestCount: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function send(res: ServerResponse, answer: EmuResponse, fault: Fault | null): Promise<void> {
  const headers = { ...(answer.headers ?? {}) };
  if (fault?.kind === 'slow') await delay(fault.delayMs);
  if (fault?.kind === 'truncate') {
    // Promise a full body, send half, then drop the connection: the client sees truncated JSON.
    const half = answer.body.slice(0, Math.floor(answer.body.length / 2));
    res.writeHead(answer.status, { ...headers, 'content-length': String(Buffer.byteLength(answer.body)) });
    res.write(half);
    res.socket?.destroy();
    return;
  }
  if (fault?.kind === 'drip') return drip(res, answer, headers, fault.intervalMs);
  if (fault?.kind === 'slow-body') {
    const cut = Math.floor(answer.body.length / 2);
    res.writeHead(answer.status, { ...headers, 'content-length': String(Buffer.byteLength(answer.body)) });
    res.write(answer.body.slice(0, cut));
    await delay(fault.delayMs);
    res.end(answer.body.slice(cut));
    return;
  }
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

/** One byte every `intervalMs` until the body is sent or the client goes away. */
async function drip(res: ServerResponse, answer: EmuResponse, headers: Record<string, string>, intervalMs: number): Promise<void> {
  const bytes = Buffer.from(answer.body);
  res.writeHead(answer.status, { ...headers, 'content-length': String(bytes.length) });
  for (let i = 0; i < bytes.length; i++) {
    if (res.destroyed || res.socket?.destroyed) return;
    res.write(bytes.subarray(i, i + 1));
    await delay(intervalMs);
  }
  res.end();
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
