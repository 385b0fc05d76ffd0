import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTrailLogsEmulator, demoTrailLogsSetup, type TrailLogsEmulator } from '../../../src/emulators/trail-logs/index.js';
import type { Fault } from '../../../src/emulators/kit/faults.js';
import { trailLogsSource } from '../../../src/sources/trail-logs/index.js';
import { keyIdentity } from '../../../src/sources/trail-logs/normalize.js';
import { awaitResult } from '../../../src/sources/trail-logs/query.js';
import { emptyStats } from '../../../src/model/coverage.js';
import type { HttpClient } from '../../../src/http/types.js';
import { systemClock } from '../../../src/util/clock.js';
import { planWindows } from '../../../src/period/plan-windows.js';
import { fastHttp, makeSource, pullPeriod, pullWindows, rejection, sortedIds, sumExtra, sumStat, type PullRun } from './harness.js';

const START = Date.UTC(2026, 0, 1);
const END = Date.UTC(2026, 0, 4);
const KEY_ENV = 'TL_TEST_KEY';

let emu: TrailLogsEmulator;
let http: HttpClient;

beforeAll(async () => {
  emu = await startTrailLogsEmulator({ seed: 'test', start: START - 86_400_000, end: END + 86_400_000, recordsPerDay: 24, pageSize: 10 });
  http = fastHttp();
});
afterAll(async () => {
  await http.close();
  await emu.close();
});
beforeEach(() => {
  emu.faults.clear();
  emu.configure({ notReady: '202', notReadyErrorStatus: 400, notReadyStatus: 'RUNNING', pollsUntilReady: 2, tokenStyle: 'post', timestampUnit: 'ms', pageSize: 10, rejectTokens: 0 });
});

function source(extra: Record<string, unknown> = {}, env: Record<string, string> = { [KEY_ENV]: emu.apiKey }) {
  return makeSource(
    trailLogsSource,
    { type: 'trail-logs', endpoint: emu.url, apiKeyEnv: KEY_ENV, pollIntervalMs: 1, maxPollIntervalMs: 5, queryTimeoutMs: 10_000, ...extra },
    env,
  ).source;
}

/** Credentials planted in what each window received (the API's `to` is inclusive). */
function plantedReceived(run: PullRun): number {
  return run.windows.reduce(
    (s, w) => s + emu.truth.records.filter((r) => r.time >= w.window.start && r.time <= w.window.end).reduce((a, r) => a + r.planted, 0),
    0,
  );
}

function expectGroundTruth(run: PullRun): void {
  expect(sortedIds(run.events)).toEqual(sortedIds(emu.truth.between(START, END)));
}

describe('trail-logs source against the emulator', () => {
  it('pulls exactly the ground truth and normalizes every field as documented', async () => {
    const run = await pullPeriod(source(), http, START, END);
    const truth = emu.truth.between(START, END);
    expect(truth.length).toBeGreaterThan(50);
    expectGroundTruth(run);
    expect(run.windows).toHaveLength(3);
    expect(sumStat(run, 'pages')).toBeGreaterThan(6);

    const byId = new Map(run.events.map((e) => [e.id, e]));
    for (const t of truth) {
      const e = byId.get(t.id)!;
      expect(e.time).toBe(t.time);
      expect(e.operation).toBe(`${t.method} ${t.route}`);
      expect(e.service).toBe(t.service);
      expect(e.responseCode).toBe(String(t.statusCode));
      expect(e.outcome).toBe(t.statusCode >= 400 ? 'failure' : 'success');
      expect(e.region).toBe(t.region);
      expect(e.attributes?.scope).toBe(t.scope);
      expect(e.requester).toMatchObject({ id: keyIdentity(t.publicKey), type: t.authMethod });
      expect(e.resources).toEqual([{ id: t.path, type: 'path' }]);
      expect(e.account).toBe(emu.truth.accountId);
      expect(e.sourceType).toBe('trail-logs');
    }
    // Ids in paths never split an endpoint into many operations.
    const ops = new Set(run.events.map((e) => e.operation));
    expect(ops.size).toBeLessThanOrEqual(18);
    for (const op of ops) expect(op).not.toMatch(/[0-9a-f]{16}|did:|\/\d+(\/|$)/);

    for (const w of run.windows) {
      expect(w.stats.extra.timestampUnit).toBe('milliseconds');
      expect(w.stats.extra.notReadyStyles).toBe('202');
      expect(w.stats.extra.tokenStyle).toBe('post');
    }
  });

  it('redacts every planted credential before yielding and counts the redactions', async () => {
    const run = await pullPeriod(source(), http, START, END);
    const secret = emu.truth.plantedSecret;
    const planted = plantedReceived(run);
    expect(planted).toBeGreaterThan(10);
    expect(sumExtra(run, 'redactions')).toBe(planted);
    expect(JSON.stringify(run.records)).not.toContain(secret);
    expect(JSON.stringify(run.events)).not.toContain(secret);
    // …and the redacted records still say which headers were there.
    const withAuth = run.records.filter((r) => JSON.stringify(r).includes('"authorization":"[REDACTED]"'));
    expect(withAuth.length).toBeGreaterThan(0);
  });

  for (const [style, errorStatus, recorded] of [
    ['202', 400, '202'],
    ['status', 400, 'status-field'],
    ['error', 400, 'error-400'],
    ['error', 409, 'error-409'],
    ['error', 200, 'error-200'],
  ] as const) {
    it(`waits out a query that is not ready, signalled as ${recorded}`, async () => {
      emu.configure({ notReady: style, notReadyErrorStatus: errorStatus, pollsUntilReady: 3 });
      const run = await pullPeriod(source(), http, START, END);
      expectGroundTruth(run);
      for (const w of run.windows) expect(w.stats.extra.notReadyStyles).toBe(recorded);
      expect(sumExtra(run, 'polls')).toBeGreaterThanOrEqual(4 * sumExtra(run, 'queries'));
    });
  }

  it('records every not-ready style seen in a window, not only the last one', async () => {
    // Each query's polls are answered 202, then a status field, then an error, then ready.
    emu.configure({ notReady: 'rotate', notReadyErrorStatus: 400, pollsUntilReady: 3 });
    const run = await pullPeriod(source(), http, START, END);
    expectGroundTruth(run);
    for (const w of run.windows) expect(w.stats.extra.notReadyStyles).toBe('202, error-400, status-field');
  });

  it('waits out a status word it does not know when the page holds no data, instead of reading it as empty', async () => {
    emu.configure({ notReady: 'status', notReadyStatus: 'Waiting for workers', pollsUntilReady: 2 });
    const run = await pullPeriod(source(), http, START, END);
    expectGroundTruth(run);
    for (const w of run.windows) expect(w.stats.extra.notReadyStyles).toBe('status-field');
  });

  it('can be switched while running through POST /__emulator/behaviour', async () => {
    const set = async (body: unknown) => {
      const res = await fetch(`${emu.url}/__emulator/behaviour`, { method: 'POST', body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const before = emu.requestCount();
    const ok = await set({ notReady: 'error', notReadyErrorStatus: 409, tokenStyle: 'get', timestampUnit: 's', pollsUntilReady: 'never' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ notReady: 'error', tokenStyle: 'get', timestampUnit: 's', pollsUntilReady: 'never' });
    expect(emu.behaviour().pollsUntilReady).toBe(Number.POSITIVE_INFINITY);
    const bad = await set({ tokenStyle: 'sideways' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('tokenStyle');
    expect((await set({ pollsUntilReady: 1 })).status).toBe(200);
    // Control calls are the tester's, not the client's: never counted as API requests.
    expect(emu.requestCount()).toBe(before);
    const run = await pullPeriod(source(), http, START, END);
    expectGroundTruth(run);
    for (const w of run.windows) expect(w.stats.extra).toMatchObject({ notReadyStyles: 'error-409', tokenStyle: 'get', timestampUnit: 'seconds' });
  });

  for (const [style, recorded] of [
    ['post', 'post'],
    ['get', 'get'],
    ['get-ignores-post', 'get'],
  ] as const) {
    it(`pages with the token style the API uses (${style})`, async () => {
      emu.configure({ tokenStyle: style });
      const run = await pullPeriod(source(), http, START, END);
      expectGroundTruth(run);
      for (const w of run.windows) expect(w.stats.extra.tokenStyle).toBe(recorded);
      expect(sumStat(run, 'restarts')).toBe(0);
      // GET style: one query per window once learned; POST style: one query per page.
      if (style === 'post') expect(sumExtra(run, 'queries')).toBe(sumStat(run, 'pages'));
      else expect(sumExtra(run, 'queries')).toBeLessThan(sumStat(run, 'pages'));
    });
  }

  for (const style of ['get', 'get-ignores-post', 'post'] as const) {
    it(`learns the token style (${style}) safely while windows are pulled at the same time`, async () => {
      emu.configure({ tokenStyle: style });
      const src = source();
      const windows = planWindows({ start: START, end: END, timeZone: 'UTC' }, src.policy);
      // As the pipeline does with concurrency > 1: every window under way before any has learned.
      const runs = await Promise.all(windows.map((w) => pullWindows(src, http, [w])));
      const events = runs.flatMap((r) => r.events);
      expect(sortedIds(events)).toEqual(sortedIds(emu.truth.between(START, END)));
      for (const r of runs) expect(r.windows[0].stats.extra.tokenStyle).toBe(style === 'post' ? 'post' : 'get');
    });
  }

  it('reads timestamps in seconds and records the unit', async () => {
    emu.configure({ timestampUnit: 's' });
    const run = await pullPeriod(source(), http, START, END);
    expectGroundTruth(run);
    const truth = new Map(emu.truth.records.map((r) => [r.id, r.time]));
    for (const e of run.events) expect(e.time).toBe(truth.get(e.id));
    for (const w of run.windows) expect(w.stats.extra.timestampUnit).toBe('seconds');
  });

  const faults: [string, Fault][] = [
    ['429 with Retry-After', { kind: 'status', status: 429, retryAfter: '0' }],
    ['500', { kind: 'status', status: 500 }],
    ['503', { kind: 'status', status: 503 }],
    ['connection reset', { kind: 'reset' }],
    ['truncated JSON', { kind: 'truncate' }],
    ['slow answer', { kind: 'slow', delayMs: 30 }],
    ['slow body', { kind: 'slow-body', delayMs: 30 }],
  ];
  for (const [name, fault] of faults) {
    it(`still pulls the ground truth under faults: ${name}`, async () => {
      const before = emu.faults.injected();
      emu.faults.every(3, fault, { times: 6 });
      const run = await pullPeriod(source(), http, START, END);
      expectGroundTruth(run);
      expect(emu.faults.injected() - before).toBe(6);
      if (fault.kind !== 'slow' && fault.kind !== 'slow-body') expect(sumStat(run, 'retries')).toBeGreaterThanOrEqual(6);
      if (fault.kind === 'status' && fault.status === 429) expect(sumStat(run, 'throttles')).toBe(6);
      expect(JSON.stringify(run.records)).not.toContain(emu.truth.plantedSecret);
    });
  }

  // Every undocumented variant with faults on its own requests: POSTs, polls and token GETs alike.
  for (const notReady of ['202', 'status', 'error'] as const) {
    for (const tokenStyle of ['post', 'get', 'get-ignores-post'] as const) {
      const unit = tokenStyle === 'get' ? 's' : 'ms';
      it(`ground truth under faults with not-ready ${notReady}, tokens ${tokenStyle}, timestamps in ${unit}`, async () => {
        emu.configure({ notReady, tokenStyle, timestampUnit: unit, pollsUntilReady: 2 });
        const before = emu.faults.injected();
        emu.faults.every(4, { kind: 'status', status: 503 }, { times: 3 });
        emu.faults.every(5, { kind: 'reset' }, { times: 3 });
        emu.faults.every(7, { kind: 'truncate' }, { times: 3 });
        emu.faults.every(9, { kind: 'status', status: 429, retryAfter: '0' }, { times: 2 });
        const run = await pullPeriod(source(), http, START, END);
        expectGroundTruth(run);
        expect(emu.faults.injected() - before).toBe(11);
        expect(sumStat(run, 'retries')).toBeGreaterThanOrEqual(11);
        expect(sumExtra(run, 'redactions')).toBe(plantedReceived(run));
        for (const w of run.windows) {
          expect(w.stats.extra).toMatchObject({ tokenStyle: tokenStyle === 'post' ? 'post' : 'get', timestampUnit: unit === 's' ? 'seconds' : 'milliseconds' });
        }
      });
    }
  }

  it('restarts the window once when the API rejects its own nextToken', async () => {
    emu.configure({ rejectTokens: 1 });
    const run = await pullPeriod(source(), http, START, END);
    expectGroundTruth(run);
    expect(sumStat(run, 'restarts')).toBe(1);
    expect(run.windows[0].items.some((i) => i.kind === 'restart')).toBe(true);
  });

  it('fails the window with PAGE_TOKEN_INVALID when the token is rejected again after the restart', async () => {
    emu.configure({ rejectTokens: 3 });
    const err = await rejection(pullPeriod(source(), http, START, END));
    expect(err.code).toBe('PAGE_TOKEN_INVALID');
  });

  it('applies the method filter on the API', async () => {
    const run = await pullPeriod(source({ method: 'DELETE' }), http, START, END);
    expect(sortedIds(run.events)).toEqual(sortedIds(emu.truth.between(START, END).filter((r) => r.method === 'DELETE')));
    expect(run.events.length).toBeGreaterThan(0);
  });
});

describe('trail-logs bad inputs', () => {
  it('names the unset environment variable when a window is pulled (SECRET_MISSING, exit 2), not when the source is made', async () => {
    const s = source({}, {});
    const err = await rejection(pullPeriod(s, http, Date.UTC(2026, 9, 1), Date.UTC(2026, 9, 2)));
    expect(err?.code).toBe('SECRET_MISSING');
    expect(err?.message).toContain(KEY_ENV);
    expect(err?.exitCode).toBe(2);
  });

  it('refuses a config without any key reference', () => {
    const r = trailLogsSource.configSchema.safeParse({ type: 'trail-logs' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('apiKeyEnv');
    const unknownKey = trailLogsSource.configSchema.safeParse({ type: 'trail-logs', apiKeyEnv: 'X', windowhours: 2 });
    expect(unknownKey.success).toBe(false);
  });

  it('reports a wrong API key as AUTH_REFUSED (exit 3) without the key in the message', async () => {
    const err = await rejection(pullPeriod(source({}, { [KEY_ENV]: 'tl_wrong_key_123456' }), http, START, END));
    expect(err.code).toBe('AUTH_REFUSED');
    expect(err.status).toBe(401);
    expect(err.exitCode).toBe(3);
    expect(err.message).not.toContain('tl_wrong_key_123456');
  });

  it('gives up on a query that never finishes with QUERY_TIMEOUT and a one-line message', async () => {
    emu.configure({ pollsUntilReady: Number.POSITIVE_INFINITY });
    const err = await rejection(pullPeriod(source({ queryTimeoutMs: 40 }), http, START, END));
    expect(err.code).toBe('QUERY_TIMEOUT');
    expect(err.message).toMatch(/^Trail Logs query \S+ \(2026-01-01T00:00:00.000Z\.\.2026-01-02T00:00:00.000Z\) was still running after \d+ ms and \d+ polls$/);
    expect(err.hint).toContain('queryTimeoutMs');
    expect(err.exitCode).toBe(1);
  });

  it('bounds the waiting of the whole window, not of each query alone', async () => {
    // Each page is a new query (documented token style) that needs two polls of >= 20 ms: ~45 ms of
    // waiting per query, 4 or more queries per window. A per-query bound of 120 ms would never trip.
    emu.configure({ pageSize: 5, pollsUntilReady: 2 });
    const err = await rejection(pullPeriod(source({ pollIntervalMs: 20, maxPollIntervalMs: 20, queryTimeoutMs: 120 }), http, START, END));
    expect(err.code).toBe('QUERY_TIMEOUT');
    expect(err.message).toMatch(/the window's earlier queries had waited \d+ ms$/);
  });

  it('reports an unknown query id (404) as an HTTP error naming the id', async () => {
    const err = await rejection(
      awaitResult(
        {
          http,
          stats: emptyStats(),
          clock: systemClock,
          signal: new AbortController().signal,
          baseUrl: `${emu.url}/`,
          apiKey: emu.apiKey,
          pollIntervalMs: 1,
          maxPollIntervalMs: 1,
          queryTimeoutMs: 1000,
          waited: { ms: 0 },
          label: 'test',
        },
        'no-such-query',
      ),
    );
    expect(err.code).toBe('HTTP_STATUS');
    expect(err.status).toBe(404);
    expect(err.message).toContain('no-such-query');
  });
});

describe('demoTrailLogsSetup', () => {
  it('wires a config entry the schema accepts and that pulls from the emulator', async () => {
    const demo = demoTrailLogsSetup(emu);
    const { source: s } = makeSource(trailLogsSource, demo.sourceConfig, demo.env);
    const run = await pullPeriod(s, http, START, START + 86_400_000);
    expect(sortedIds(run.events)).toEqual(sortedIds(emu.truth.between(START, START + 86_400_000)));
  });
});
