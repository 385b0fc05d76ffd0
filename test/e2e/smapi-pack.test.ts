import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Fault } from '../../src/emulators/kit/faults.js';
import type { SmapiVariants } from '../../src/emulators/smapi/index.js';
import type { NetworkLog } from '../../src/model/network-log.js';
import type { CoverageLedger } from '../../src/model/coverage.js';
import type { Manifest } from '../../src/pack/manifest.js';
import { interruptAtWindow, JSON_FILES, readJson, runPack, smapiFixture, tempDir, type SmapiFixture } from './harness.js';

interface Summary {
  complete: boolean;
  totals: { events: number; failures: number; duplicatesRemoved: number; outsidePeriod: number };
  operations: { key: string; events: number }[];
  responseCodes: { key: string; events: number }[];
  requesters: { key: string; events: number; name: string | null }[];
  daily: { day: string; events: number }[];
}

const FROM = Date.parse('2026-10-01T00:00:00Z');
const TO = Date.parse('2026-10-08T00:00:00Z');
let fixture: SmapiFixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

/**
 * A week's pack. Most tests here read only its JSON files and render only those; the
 * plain pack and the failed one render every file, so a renderer that breaks on either shows here too.
 */
async function packFor(opts: { faults?: (f: SmapiFixture) => void; variants?: Partial<SmapiVariants>; allFiles?: boolean } = {}) {
  fixture = await smapiFixture({ seed: 'e2e', period: { start: FROM - 86_400_000, end: TO + 86_400_000 }, eventCount: 1500, variants: opts.variants, sourceExtra: { pageSize: 40 } });
  opts.faults?.(fixture);
  const out = join(tempDir(), 'pack');
  const result = await runPack({ configFile: fixture.configFile, env: fixture.env, from: '2026-10-01', to: '2026-10-07', tz: 'UTC', out, files: opts.allFiles ? undefined : JSON_FILES });
  const summary = await readJson<Summary>(join(out, 'summary.json'));
  const coverage = await readJson<CoverageLedger>(join(out, 'coverage.json'));
  const network = await readJson<NetworkLog>(join(out, 'network.json'));
  return { result, summary, coverage, network, out, truth: fixture.emulator.truth.count({ start: FROM, end: TO }) };
}

function byKey(rows: { key: string; events: number }[]): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [r.key.replace(/^smapi /, ''), r.events]));
}

const retryAfter0 = (status: number): Fault => ({ kind: 'status', status, retryAfter: '0' });
const faultModes: [string, (f: SmapiFixture) => void][] = [
  ['no fault', () => {}],
  ['429 bursts with Retry-After', (f) => { f.emulator.faults.enqueue(retryAfter0(429), retryAfter0(429), retryAfter0(429)); f.emulator.faults.every(7, { kind: 'status', status: 429, retryAfter: '1' }, { times: 3 }); }],
  ['500s', (f) => f.emulator.faults.every(5, retryAfter0(500))],
  ['503s', (f) => f.emulator.faults.every(6, retryAfter0(503))],
  ['connection resets', (f) => f.emulator.faults.every(6, { kind: 'reset' })],
  ['slow responses and bodies', (f) => { f.emulator.faults.every(5, { kind: 'slow', delayMs: 150 }); f.emulator.faults.every(7, { kind: 'slow-body', delayMs: 150 }); }],
  ['truncated JSON', (f) => f.emulator.faults.every(5, { kind: 'truncate' })],
];

describe('SMAPI evidence pack against the emulator: every event exactly once', () => {
  it.each(faultModes)('%s', async (name, faults) => {
    const { summary, coverage, network, truth, result } = await packFor({ faults, allFiles: name === 'no fault' });
    expect(coverage.windows).toHaveLength(7);
    expect(coverage.windows.every((w) => w.status === 'complete')).toBe(true);
    expect(summary.complete).toBe(true);
    expect(summary.totals.events).toBe(truth.events);
    expect(summary.totals.failures).toBe(truth.failures);
    expect(byKey(summary.operations)).toEqual(truth.byOperation);
    expect(byKey(summary.responseCodes)).toEqual(truth.byCode);
    expect(Object.fromEntries(summary.requesters.map((r) => [r.key, r.events]))).toEqual(truth.byRequester);
    expect(summary.totals.duplicatesRemoved).toBe(0);
    // Every injected error fault cost exactly one retry (slow answers are not errors).
    const retries = network.windows.reduce((n, w) => n + w.retries, 0);
    expect(retries).toBe(name.startsWith('slow') ? 0 : fixture!.emulator.faults.injected());
    expect(result.manifest.status).toBe('COMPLETE');
  });

  it('short pages: pages until no nextToken, even through short and empty pages', async () => {
    const { summary, coverage, truth } = await packFor({ variants: { shortPages: true } });
    expect(summary.totals.events).toBe(truth.events);
    expect(coverage.windows.reduce((n, w) => n + w.pages, 0)).toBeGreaterThan(Math.ceil(truth.events / 40));
  });

  it('an inclusive endTime: boundary events are dropped from the earlier window, kept once', async () => {
    const { summary, coverage, truth } = await packFor({ variants: { inclusiveEnd: true } });
    expect(summary.totals.events).toBe(truth.events);
    const boundary = fixture!.emulator.truth.boundaryTimes().filter((t) => t > FROM && t <= TO).length;
    expect(boundary).toBeGreaterThan(0);
    // A boundary event between two windows is the next window's record read again; the one at the period's end is outside it.
    expect(coverage.windows.reduce((n, w) => n + w.outsidePeriod + w.rereads, 0)).toBe(boundary);
  });

  it('names requesters from the directory instead of bare ids', async () => {
    const { summary } = await packFor();
    const named = summary.requesters.filter((r) => r.name);
    expect(named.length).toBe(summary.requesters.length - 1);
    expect(summary.requesters.map((r) => r.name)).toContain('Zoë Łukasiewicz');
  });

  it('a window that keeps failing makes the pack INCOMPLETE everywhere, and it says which', async () => {
    const { summary, coverage, result, out } = await packFor({ faults: (f) => f.emulator.faults.every(1, retryAfter0(503)), allFiles: true });
    expect(summary.complete).toBe(false);
    expect(coverage.complete).toBe(false);
    expect(coverage.windows.every((w) => w.status === 'failed' && w.error?.code === 'HTTP_STATUS')).toBe(true);
    expect(result.manifest.status).toBe('INCOMPLETE');
    expect(result.manifest.incompleteReasons[0]).toMatch(/smapi window 2026-10-0\dT00:00:00.000Z – .* failed: .*503/);
    const manifest = await readJson<Manifest>(join(out, 'manifest.json'));
    expect(manifest.status).toBe('INCOMPLETE');
  });

  it('nextTokens that expire mid-run (server clock +61 min): the windows holding one restart, and summary.json still equals the truth', async () => {
    // The server's clock jumps an hour once a few pages are out, so every token then in a client's
    // hands is expired when it comes back; the client's own clock does not move, so it cannot know.
    const jump = { at: 6, offset: 0 };
    let emulator: SmapiFixture['emulator'] | undefined;
    const now = () => {
      if (jump.offset === 0 && emulator && emulator.stats().pagesServed >= jump.at) jump.offset = 61 * 60_000;
      return Date.now() + jump.offset;
    };
    fixture = await smapiFixture({ seed: 'e2e', period: { start: FROM - 86_400_000, end: TO + 86_400_000 }, eventCount: 1500, now, accessTokenTtlSeconds: 30 * 86_400, sourceExtra: { pageSize: 40 } });
    emulator = fixture.emulator;
    const out = join(tempDir(), 'pack');
    const result = await runPack({ configFile: fixture.configFile, env: fixture.env, from: '2026-10-01', to: '2026-10-07', tz: 'UTC', out, files: JSON_FILES });
    const summary = await readJson<Summary>(join(out, 'summary.json'));
    const coverage = await readJson<CoverageLedger>(join(out, 'coverage.json'));
    const truth = fixture.emulator.truth.count({ start: FROM, end: TO });
    expect(fixture.emulator.stats().expiredNextTokens).toBeGreaterThan(0);
    const restarts = coverage.windows.reduce((n, w) => n + w.restarts, 0);
    expect(restarts).toBe(fixture.emulator.stats().expiredNextTokens);
    expect(coverage.windows.reduce((n, w) => n + w.rereads, 0)).toBeGreaterThan(0);
    expect(summary.totals.events).toBe(truth.events);
    expect(summary.totals.duplicatesRemoved).toBe(0);
    expect(byKey(summary.operations)).toEqual(truth.byOperation);
    expect(Object.fromEntries(summary.requesters.map((r) => [r.key, r.events]))).toEqual(truth.byRequester);
    expect(result.manifest.status).toBe('COMPLETE');
  });

  it('resumes an interrupted run from the windows already pulled, counting nothing twice', async () => {
    fixture = await smapiFixture({ seed: 'resume', period: { start: FROM - 86_400_000, end: TO + 86_400_000 }, eventCount: 1500, sourceExtra: { pageSize: 40, concurrency: 1 } });
    const out = join(tempDir(), 'pack');
    const args = { configFile: fixture.configFile, env: fixture.env, from: '2026-10-01', to: '2026-10-07', tz: 'UTC', out, files: JSON_FILES };
    await expect(
      runPack({ ...args, ...interruptAtWindow(4) }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(existsSync(out)).toBe(false);
    const requestsBefore = fixture.emulator.stats().apiRequests;
    const result = await runPack(args);
    const coverage = await readJson<CoverageLedger>(join(out, 'coverage.json'));
    expect(coverage.windows.filter((w) => w.resumed)).toHaveLength(3);
    const truth = fixture.emulator.truth.count({ start: FROM, end: TO });
    expect(result.model.totals.events).toBe(truth.events);
    expect(result.model.totals.duplicatesRemoved).toBe(0);
    // The second run asked only for the four windows that were not finished (the interrupted run's
    // last request may reach the server after the abort: at most one more).
    // (No faults here: one API request per page; the LWA token request is not an API request.)
    const fresh = coverage.windows.filter((w) => !w.resumed).reduce((n, w) => n + w.pages, 0);
    const asked = fixture.emulator.stats().apiRequests - requestsBefore;
    expect(asked).toBeGreaterThanOrEqual(fresh);
    expect(asked).toBeLessThanOrEqual(fresh + 1);
    expect(coverage.windows.filter((w) => w.resumed).every((w) => w.pages > 0 && w.eventsKept > 0)).toBe(true);
  });

  it('the same inputs and --generated-at give the same files', async () => {
    fixture = await smapiFixture({ seed: 'same', period: { start: FROM - 86_400_000, end: TO + 86_400_000 }, eventCount: 800 });
    const run = async () => {
      const out = join(tempDir(), 'pack');
      await runPack({ configFile: fixture!.configFile, env: fixture!.env, from: '2026-10-01', to: '2026-10-07', tz: 'America/New_York', out });
      return readJson<Manifest>(join(out, 'manifest.json'));
    };
    const a = await run();
    const b = await run();
    const digest = (m: Manifest) => m.files.map((f) => `${f.path} ${f.contentSha256 ?? f.sha256}`);
    expect(digest(b)).toEqual(digest(a));
    expect(a.files.find((f) => f.path === 'report.pdf')?.sha256).toBe(b.files.find((f) => f.path === 'report.pdf')?.sha256);
    expect(a.packId).toBe(b.packId);
  });

  it('accounts for every request: windows hold the API requests, the token section the LWA ones', async () => {
    const { coverage, network } = await packFor();
    const stats = fixture!.emulator.stats();
    expect(network.windows.reduce((n, w) => n + w.attempts, 0)).toBe(stats.apiRequests);
    expect(network.windows.map((w) => w.window)).toEqual(coverage.windows.map((w) => w.window.key));
    // The ledger itself holds no network counter: the same inputs give the same coverage.json.
    expect(coverage.windows.every((w) => !('attempts' in w) && !('retries' in w) && !('retryWaitMs' in w))).toBe(true);
    expect(coverage.sources.find((s) => s.title === 'LWA access token')?.facts).not.toHaveProperty('refreshes');
    const token = network.sources.find((s) => s.title === 'LWA access token');
    expect(token?.facts).toMatchObject({ refreshes: 1, attempts: stats.tokenRequests });
    expect(stats.tokenRequests).toBe(1);
  });
});

describe('a DST month', () => {
  it('March 2026 in New York: 31 local-day windows, one of 23 hours, totals equal the truth', async () => {
    const start = Date.parse('2026-03-01T05:00:00Z');
    const end = Date.parse('2026-04-01T04:00:00Z');
    fixture = await smapiFixture({ seed: 'dst', period: { start: start - 86_400_000, end: end + 86_400_000 }, eventCount: 3000, sourceExtra: { pageSize: 200 } });
    const out = join(tempDir(), 'pack');
    const result = await runPack({ configFile: fixture.configFile, env: fixture.env, period: '2026-03', tz: 'America/New_York', out, files: JSON_FILES });
    const coverage = await readJson<CoverageLedger>(join(out, 'coverage.json'));
    const hours = coverage.windows.map((w) => (Date.parse(w.window.end) - Date.parse(w.window.start)) / 3_600_000);
    expect(hours).toHaveLength(31);
    expect(hours.filter((h) => h === 23)).toHaveLength(1);
    expect(coverage.windows[0].window.start).toBe('2026-03-01T05:00:00.000Z');
    expect(coverage.windows[30].window.end).toBe('2026-04-01T04:00:00.000Z');
    const truth = fixture.emulator.truth.count({ start, end });
    expect(result.model.totals.events).toBe(truth.events);
    expect(result.model.daily).toHaveLength(31);
    expect(result.model.daily.reduce((n, d) => n + d.events, 0)).toBe(truth.events);
  });
});
