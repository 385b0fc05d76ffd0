import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { locatePage } from '../../../src/pack/locate-page.js';
import { recordFingerprint } from '../../../src/util/content-fingerprint.js';
import { startAmplitudeEmulator, demoAmplitudeSetup, type AmplitudeEmulator } from '../../../src/emulators/amplitude/index.js';
import type { Fault } from '../../../src/emulators/kit/faults.js';
import { amplitudeSource } from '../../../src/sources/amplitude/index.js';
import type { HttpClient } from '../../../src/http/types.js';
import { checkRetention } from '../../../src/period/plan-windows.js';
import { fastHttp, makeSource, pullPeriod, pullWindows, rejection, sortedIds, sumStat, type PullRun } from '../trail-logs/harness.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
const END = Date.UTC(2026, 1, 15);
const NOW = Date.UTC(2026, 1, 20);
const ENV = { AMP_KEY: '', AMP_SECRET: '' };

let emu: AmplitudeEmulator;
let http: HttpClient;

beforeAll(async () => {
  emu = await startAmplitudeEmulator({ seed: 'test', start: START - 2 * DAY, end: END + 2 * DAY, recordsPerDay: 6, now: NOW });
  ENV.AMP_KEY = emu.apiKey;
  ENV.AMP_SECRET = emu.secretKey;
  http = fastHttp();
});
afterAll(async () => {
  await http.close();
  await emu.close();
});
beforeEach(() => {
  emu.faults.clear();
  emu.rejectCursors(0);
});

function make(extra: Record<string, unknown> = {}, env: Record<string, string> = ENV) {
  return makeSource(
    amplitudeSource,
    { type: 'amplitude', orgId: emu.orgId, endpoint: emu.url, apiKeyEnv: 'AMP_KEY', secretKeyEnv: 'AMP_SECRET', pageSize: 25, ...extra },
    env,
  );
}

function expectGroundTruth(run: PullRun): void {
  expect(sortedIds(run.events)).toEqual(sortedIds(emu.truth.between(START, END)));
}

describe('amplitude source against the emulator', () => {
  it('each page carries its bytes as received, where its records are found one per line (archived and fingerprinted as they are)', async () => {
    const { source } = make();
    const run = await pullPeriod(source, http, START, END);
    const pages = run.windows.flatMap((w) => w.items).filter((i) => i.kind === 'page' && i.records.length > 0);
    expect(pages.length).toBeGreaterThan(6);
    for (const p of pages) {
      if (p.kind !== 'page') continue;
      const located = locatePage(p.received!.bytes, p.received!.arrayKey, p.records.length)!;
      expect(gunzipSync(located.member).toString()).toBe(p.records.map((r) => JSON.stringify(r) + '\n').join(''));
      expect(Array.from(located.contents)).toEqual(p.records.map((r) => recordFingerprint('id', r)));
    }
  });

  it('pulls exactly the ground truth in windows of at most 30 days and normalizes every field', async () => {
    const { source } = make();
    const run = await pullPeriod(source, http, START, END);
    expectGroundTruth(run);
    expect(run.windows.map((w) => (w.window.end - w.window.start) / DAY)).toEqual([30, 15]);
    expect(sumStat(run, 'pages')).toBeGreaterThan(6);

    const truth = emu.truth.between(START, END);
    const byId = new Map(run.events.map((e) => [e.id, e]));
    let failures = 0;
    for (const t of truth) {
      const e = byId.get(t.id)!;
      expect(e.time).toBe(t.time);
      expect(e.operation).toBe(t.operation);
      expect(e.service).toBe(t.domain);
      expect(e.outcome).toBe(t.failure ? 'failure' : 'success');
      expect(e.requester).toMatchObject({ id: t.email, email: t.email });
      expect(e.resources.map((r) => r.id)).toEqual(t.target ? [t.target] : []);
      expect(e.sourceIp).toBe(t.ip);
      expect(e.userAgent).toBe(t.userAgent);
      expect(e.account).toBe(emu.orgId);
      if (t.failure) failures++;
    }
    // Failures come both from an error object and from actions that say so (failed, denied).
    expect(failures).toBeGreaterThan(5);
    expect(run.events.some((e) => e.outcome === 'failure' && !e.errorMessage)).toBe(true);
    expect(run.events.some((e) => e.outcome === 'failure' && e.errorMessage)).toBe(true);
    expect(run.events.some((e) => e.attributes?.['prop.new_role'])).toBe(true);
  });

  it('asks half-open windows with the documented body and follows the cursor', async () => {
    const { source } = make();
    const before = emu.requests().length;
    await pullPeriod(source, http, START, START + 10 * DAY);
    const sent = emu.requests().slice(before) as Record<string, unknown>[];
    expect(sent.length).toBeGreaterThan(1);
    expect(sent[0]).toEqual({ start_date: '2026-01-01T00:00:00.000Z', end_date: '2026-01-11T00:00:00.000Z', pagination: { limit: 25 } });
    for (const body of sent.slice(1)) expect((body.pagination as { cursor?: string }).cursor).toEqual(expect.any(String));
  });

  it('passes the optional filters and gets only what matches', async () => {
    const { source } = make({ filters: { domain: 'auth', action: 'failed' } });
    const run = await pullPeriod(source, http, START, END);
    const want = emu.truth.between(START, END).filter((t) => t.operation === 'auth/login/failed');
    expect(want.length).toBeGreaterThan(0);
    expect(sortedIds(run.events)).toEqual(sortedIds(want));
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
      emu.faults.every(2, fault, { times: 4 });
      const run = await pullPeriod(make().source, http, START, END);
      expectGroundTruth(run);
      expect(emu.faults.injected() - before).toBe(4);
      if (fault.kind !== 'slow' && fault.kind !== 'slow-body') expect(sumStat(run, 'retries')).toBe(4);
      if (fault.kind === 'status' && fault.status === 429) expect(sumStat(run, 'throttles')).toBe(4);
    });
  }

  it('restarts a window once when the API refuses its own cursor, then fails with PAGE_TOKEN_INVALID', async () => {
    emu.rejectCursors(1);
    const run = await pullPeriod(make().source, http, START, END);
    expectGroundTruth(run);
    expect(sumStat(run, 'restarts')).toBe(1);

    emu.rejectCursors(2);
    const err = await rejection(pullPeriod(make().source, http, START, END));
    expect(err.code).toBe('PAGE_TOKEN_INVALID');
  });

  it('plays expired cursors when switched through POST /__emulator/behaviour', async () => {
    const post = async (body: unknown) => {
      const res = await fetch(`${emu.url}/__emulator/behaviour`, { method: 'POST', body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const before = emu.requestCount();
    expect(await post({ rejectCursors: 1 })).toEqual({ status: 200, body: { rejectCursors: 1 } });
    expect(await post({ rejectCursor: 1 })).toEqual({ status: 400, body: { message: 'unknown behaviour "rejectCursor" (rejectCursors)' } });
    expect(emu.requestCount()).toBe(before);
    const run = await pullPeriod(make().source, http, START, END);
    expectGroundTruth(run);
    expect(sumStat(run, 'restarts')).toBe(1);
  });
});

describe('amplitude limits and bad inputs', () => {
  it('refuses windowDays over 30 in the config with a clear message', () => {
    const r = amplitudeSource.configSchema.safeParse({ type: 'amplitude', orgId: '1', apiKeyEnv: 'A', secretKeyEnv: 'B', windowDays: 31 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe('windowDays must be 30 or less: the Amplitude Audit Logs API refuses ranges over 30 days');
    expect(r.error?.issues[0].path).toEqual(['windowDays']);
  });

  it('surfaces the API refusal when a 31-day window still goes out', async () => {
    const err = await rejection(pullWindows(make().source, http, [{ index: 0, start: START, end: START + 31 * DAY }]));
    expect(err.code).toBe('HTTP_STATUS');
    expect(err.status).toBe(400);
    expect(err.message).toBe('Amplitude refused the query for 2026-01-01T00:00:00.000Z..2026-02-01T00:00:00.000Z (HTTP 400: date range exceeds the maximum of 30 days)');
    expect(err.hint).toContain('30 days');
  });

  it('refuses periods past the 90-day retention up front, and maps the API refusal the same way', async () => {
    const { source } = make();
    expect(source.policy).toMatchObject({ maxWindowMs: 30 * DAY, retentionMs: 90 * DAY, endInclusive: true, windowDays: 30, pageSize: 25 });
    let up: (Error & { code?: string }) | undefined;
    try {
      checkRetention(source.name, { start: NOW - 91 * DAY, timeZone: 'UTC' }, source.policy, NOW);
    } catch (e) {
      up = e as Error & { code?: string };
    }
    expect(up?.code).toBe('RETENTION_EXCEEDED');

    const err = await rejection(pullWindows(source, http, [{ index: 0, start: NOW - 100 * DAY, end: NOW - 95 * DAY }]));
    expect(err.code).toBe('RETENTION_EXCEEDED');
    expect(err.message).toContain('90-day retention');
    expect(err.exitCode).toBe(2);
  });

  it('names a missing secret variable when a window is pulled (SECRET_MISSING) and requires both keys in the config', async () => {
    const err = await rejection(pullPeriod(make({}, { AMP_KEY: emu.apiKey }).source, http, Date.UTC(2026, 9, 1), Date.UTC(2026, 9, 2)));
    expect(err?.code).toBe('SECRET_MISSING');
    expect(err?.message).toContain('AMP_SECRET');
    const r = amplitudeSource.configSchema.safeParse({ type: 'amplitude', orgId: 76273, apiKeyEnv: 'A' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('secretKeyEnv');
    const ok = amplitudeSource.configSchema.parse({ type: 'amplitude', orgId: 76273, apiKeyEnv: 'A', secretKeyEnv: 'B' });
    expect(ok).toMatchObject({ orgId: '76273', host: 'us', windowDays: 30, pageSize: 100 });
  });

  it('reports wrong credentials as AUTH_REFUSED and never shows them', async () => {
    const { source, redactor } = make({}, { AMP_KEY: emu.apiKey, AMP_SECRET: 'wrong-secret-value' });
    const err = await rejection(pullPeriod(source, http, START, START + DAY));
    expect(err.code).toBe('AUTH_REFUSED');
    expect(err.status).toBe(401);
    expect(err.exitCode).toBe(3);
    expect(redactor.leaks(`${err.message} ${err.hint}`)).toBe(false);
    // The encoded Basic pair is registered as a secret too.
    expect(redactor.leaks(Buffer.from(`${emu.apiKey}:wrong-secret-value`).toString('base64'))).toBe(true);
  });

  it('reports keys of another organization as AUTH_REFUSED naming the org', async () => {
    const err = await rejection(pullPeriod(make({ orgId: '99999' }).source, http, START, START + DAY));
    expect(err.code).toBe('AUTH_REFUSED');
    expect(err.message).toContain('99999');
  });
});

describe('demoAmplitudeSetup', () => {
  it('wires a config entry the schema accepts and that pulls from the emulator', async () => {
    const demo = demoAmplitudeSetup(emu);
    const { source } = makeSource(amplitudeSource, demo.sourceConfig, demo.env);
    const run = await pullPeriod(source, http, START, START + 5 * DAY);
    expect(sortedIds(run.events)).toEqual(sortedIds(emu.truth.between(START, START + 5 * DAY)));
  });
});
