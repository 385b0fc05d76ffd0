import { createHttpClient } from '../../../src/http/client.js';
import type { HttpClient, HttpClientOptions } from '../../../src/http/types.js';
import { createSecretResolver } from '../../../src/config/secrets.js';
import type { AuditEvent } from '../../../src/model/audit-event.js';
import { emptyStats, type WindowStats } from '../../../src/model/coverage.js';
import type { TimeWindow } from '../../../src/model/window.js';
import { planWindows } from '../../../src/period/plan-windows.js';
import type { PullItem, Source, SourceDefinition } from '../../../src/sources/source.js';
import { systemClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { createRedactor, type Redactor } from '../../../src/util/redactor.js';

/** Fast retries for tests: the real client, real sockets, tiny waits. */
export function fastHttp(opts: HttpClientOptions = {}): HttpClient {
  return createHttpClient({ ...opts, retry: { baseDelayMs: 1, maxDelayMs: 5, ...opts.retry } }, { clock: systemClock, log: silentLogger });
}

export function makeSource<C extends { type: string; name?: string }>(
  def: SourceDefinition<C>,
  input: unknown,
  env: Record<string, string>,
): { source: Source; redactor: Redactor } {
  const config = def.configSchema.parse(input);
  const redactor = createRedactor();
  const source = def.create(config, {
    secrets: createSecretResolver(env, redactor),
    redactor,
    log: silentLogger,
    clock: systemClock,
    createHttpClient: (o) => fastHttp(o),
    configDir: process.cwd(),
    env,
  });
  return { source, redactor };
}

export interface WindowRun {
  window: TimeWindow;
  stats: WindowStats;
  items: PullItem[];
}

export interface PullRun {
  /** Kept events, as the pipeline keeps them: inside [start, end), de-duplicated by id. */
  events: AuditEvent[];
  /** Every record yielded, as yielded (after any redaction). */
  records: unknown[];
  windows: WindowRun[];
}

/** Pulls every window of [start, end) in UTC the way the pipeline does, without the pack. */
export async function pullPeriod(source: Source, http: HttpClient, start: number, end: number): Promise<PullRun> {
  const windows = planWindows({ start, end, timeZone: 'UTC' }, source.policy);
  return pullWindows(source, http, windows);
}

export async function pullWindows(source: Source, http: HttpClient, windows: TimeWindow[]): Promise<PullRun> {
  const seen = new Set<string>();
  const run: PullRun = { events: [], records: [], windows: [] };
  for (const window of windows) {
    const stats = emptyStats();
    const items: PullItem[] = [];
    const ctx = { http, signal: new AbortController().signal, log: silentLogger, clock: systemClock, stats, progress() {} };
    for await (const item of source.pull!(window, ctx)) {
      items.push(item);
      if (item.kind !== 'page') continue;
      for (const raw of item.records) {
        run.records.push(raw);
        const e = source.normalize(raw);
        if (!e || e.time < window.start || e.time >= window.end || seen.has(e.id)) continue;
        seen.add(e.id);
        run.events.push(e);
      }
    }
    run.windows.push({ window, stats, items });
  }
  return run;
}

export function sumExtra(run: PullRun, key: string): number {
  return run.windows.reduce((s, w) => s + (typeof w.stats.extra[key] === 'number' ? (w.stats.extra[key] as number) : 0), 0);
}

export function sumStat(run: PullRun, key: 'retries' | 'throttles' | 'attempts' | 'pages' | 'restarts'): number {
  return run.windows.reduce((s, w) => s + w.stats[key], 0);
}

export function sortedIds(items: readonly { id: string }[]): string[] {
  return items.map((i) => i.id).sort();
}

/** Runs `fn` expecting an AuditpackError-like rejection, and returns it. */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; status?: number; hint?: string; exitCode?: number }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a rejection, got success');
}
