import { createSecretResolver } from '../../../src/config/secrets.js';
import { isAuditpackError, type AuditpackError } from '../../../src/errors.js';
import { createHttpClient } from '../../../src/http/client.js';
import type { HttpClient, HttpClientOptions } from '../../../src/http/types.js';
import type { AuditEvent } from '../../../src/model/audit-event.js';
import { emptyStats, type WindowStats } from '../../../src/model/coverage.js';
import type { TimeWindow } from '../../../src/model/window.js';
import { demoSmapiSetup, type SmapiEmulator } from '../../../src/emulators/smapi/index.js';
import { smapiSource, type SmapiConfigInput } from '../../../src/sources/smapi/index.js';
import type { PullContext, Source } from '../../../src/sources/source.js';
import { systemClock, type Clock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { createRedactor, type Redactor } from '../../../src/util/redactor.js';

export const DAY = 86_400_000;
/** A small data set: 10 days, 1,000 events; UTC midnights on days 0, 3, 6, 9 carry events. */
export const PERIOD = { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 9, 11) };
export const EVENT_COUNT = 1000;

/** Day windows over the period, as the planner would cut them for windowHours 24. */
export function dayWindows(period = PERIOD): TimeWindow[] {
  const out: TimeWindow[] = [];
  for (let s = period.start, i = 0; s < period.end; s += DAY, i++) out.push({ index: i, start: s, end: Math.min(s + DAY, period.end) });
  return out;
}

export interface Built {
  source: Source;
  redactor: Redactor;
  /** A client for PullContext.http (the source uses its own, from deps.createHttpClient). */
  http: HttpClient;
  clock: Clock;
  close(): Promise<void>;
}

/** The real HTTP client with tiny retry waits, so fault tests stay fast. */
export function fastClient(opts: HttpClientOptions, clock: Clock): HttpClient {
  return createHttpClient({ ...opts, retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 6, ...opts.retry } }, { clock, log: silentLogger });
}

/** The smapi source wired to the emulator as the demo wires it; `override` edits the config entry. */
export function buildSource(
  emu: SmapiEmulator,
  opts: { override?: (c: SmapiConfigInput) => SmapiConfigInput; env?: Record<string, string>; clock?: Clock; http?: HttpClientOptions } = {},
): Built {
  const demo = demoSmapiSetup(emu);
  const input: SmapiConfigInput = opts.override ? opts.override({ ...demo.sourceConfig, pageSize: 40 }) : { ...demo.sourceConfig, pageSize: 40 };
  const env = { ...demo.env, ...opts.env };
  const clock = opts.clock ?? systemClock;
  const redactor = createRedactor();
  const config = smapiSource.configSchema.parse(input);
  const source = smapiSource.create(config, {
    secrets: createSecretResolver(env, redactor),
    redactor,
    log: silentLogger,
    clock,
    createHttpClient: (o) => fastClient({ ...o, ...opts.http }, clock),
    configDir: process.cwd(),
    env,
  });
  const http = fastClient({}, clock);
  return {
    source,
    redactor,
    http,
    clock,
    close: async () => {
      await source.close?.();
      await http.close();
    },
  };
}

export interface PullRun {
  /** Events kept as the pipeline keeps them: inside [start, end), once per id. */
  events: Map<string, AuditEvent>;
  stats: WindowStats[];
  recordsReceived: number;
  outsidePeriod: number;
  restarts: number;
}

/**
 * The pipeline's loop in miniature: pull each window, keep records with start <= time < end,
 * de-duplicate by id. `onPage` runs while the source waits between pages (e.g. to move a clock).
 * `parallel` pulls all windows at once (shared token provider, concurrent refreshes).
 */
export async function pullAll(
  b: Built,
  windows: TimeWindow[],
  opts: { onPage?: (w: TimeWindow, page: number) => void; parallel?: boolean } = {},
): Promise<PullRun> {
  const run: PullRun = { events: new Map(), stats: [], recordsReceived: 0, outsidePeriod: 0, restarts: 0 };
  const one = async (w: TimeWindow) => {
    const stats = emptyStats();
    run.stats.push(stats);
    const ctx: PullContext = { http: b.http, signal: new AbortController().signal, log: silentLogger, clock: b.clock, stats, progress() {} };
    let page = 0;
    for await (const item of b.source.pull!(w, ctx)) {
      if (item.kind === 'restart') {
        run.restarts++;
        continue;
      }
      for (const raw of item.records) {
        run.recordsReceived++;
        const e = b.source.normalize(raw);
        if (!e) continue;
        if (e.time < w.start || e.time >= w.end) {
          run.outsidePeriod++;
          continue;
        }
        run.events.set(e.id, e);
      }
      opts.onPage?.(w, ++page);
    }
  };
  if (opts.parallel) await Promise.all(windows.map(one));
  else for (const w of windows) await one(w);
  return run;
}

/** The kept ids, sorted, for an exact comparison with the ground truth. */
export function sortedIds(run: PullRun): string[] {
  return [...run.events.keys()].sort();
}

export function sum(run: PullRun, pick: (s: WindowStats) => number): number {
  return run.stats.reduce((n, s) => n + pick(s), 0);
}

export function extra(run: PullRun, key: string): number {
  return run.stats.reduce((n, s) => n + (typeof s.extra[key] === 'number' ? (s.extra[key] as number) : 0), 0);
}

/** Runs `f`, expecting an AuditpackError; returns it. */
export async function failure(f: () => Promise<unknown>): Promise<AuditpackError> {
  try {
    await f();
  } catch (e) {
    if (isAuditpackError(e)) return e;
    throw e;
  }
  throw new Error('expected an AuditpackError, but the call succeeded');
}
