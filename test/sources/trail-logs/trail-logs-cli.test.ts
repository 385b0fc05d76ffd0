import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrailLogsEmulator, demoTrailLogsSetup, type TrailLogsEmulator } from '../../../src/emulators/trail-logs/index.js';
import { cli, tempDir } from '../../e2e/harness.js';
import { expectCleanFailure } from '../../e2e/expect-clean-failure.js';
import { filesHolding, packTexts } from '../../e2e/pack-texts.js';

/**
 * The built CLI (`npx tsc -p .` first) against a live Trail Logs emulator: the undocumented
 * variants through the whole pipeline into a pack, and the bad inputs the issue names.
 */
const DAY = 86_400_000;
const FROM = Date.UTC(2026, 9, 1);
const TO = Date.UTC(2026, 9, 4);
const DAYS = ['--from', '2026-10-01', '--to', '2026-10-03', '--tz', 'UTC'];
const PERIOD = [...DAYS, '--generated-at', '2026-10-05T09:00:00Z'];

let emu: TrailLogsEmulator;
let dir: string;
let configFile: string;
let env: Record<string, string>;

beforeAll(async () => {
  emu = await startTrailLogsEmulator({ seed: 'cli', start: FROM - DAY, end: TO + DAY, recordsPerDay: 40, pageSize: 9 });
  dir = tempDir('ap-tl-cli-');
  const setup = demoTrailLogsSetup(emu);
  env = setup.env;
  configFile = join(dir, 'auditpack.json');
  writeFileSync(configFile, JSON.stringify({ organization: 'CLI Corp', timezone: 'UTC', sources: [{ ...setup.sourceConfig, pollIntervalMs: 5, maxPollIntervalMs: 20 }] }));
});
afterAll(async () => {
  await emu?.close();
});

async function behave(patch: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${emu.url}/__emulator/behaviour`, { method: 'POST', body: JSON.stringify(patch) });
  expect(res.status).toBe(200);
}

function writeConfig(name: string, source: Record<string, unknown>): string {
  const c = JSON.parse(readFileSync(configFile, 'utf8')) as { sources: Record<string, unknown>[] };
  c.sources[0] = { ...c.sources[0], ...source };
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(c));
  return file;
}

interface Window {
  source: string;
  status: string;
  eventsKept: number;
  error?: { code: string; message: string };
  extra: Record<string, unknown>;
}

function coverage(out: string): { complete: boolean; windows: Window[] } {
  return JSON.parse(readFileSync(join(out, 'coverage.json'), 'utf8')) as { complete: boolean; windows: Window[] };
}


describe('auditpack run with a Trail Logs source (built CLI, live emulator)', () => {
  it('writes a complete pack under the undocumented variants, the ledger saying which, no header secret in any file', async () => {
    await behave({ notReady: 'status', tokenStyle: 'get-ignores-post', timestampUnit: 's', pollsUntilReady: 2 });
    try {
      const out = join(tempDir(), 'pack');
      const r = await cli(['run', '-c', configFile, ...PERIOD, '--out', out], { env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^COMPLETE evidence pack/);
      const cov = coverage(out);
      expect(cov.complete).toBe(true);
      expect(cov.windows).toHaveLength(3);
      expect(cov.windows.reduce((n, w) => n + w.eventsKept, 0)).toBe(emu.truth.between(FROM, TO).length);
      for (const w of cov.windows) {
        expect(w.extra).toMatchObject({ notReadyStyles: 'status-field', tokenStyle: 'get', timestampUnit: 'seconds' });
        expect(w.extra.redactions).toEqual(expect.any(Number));
      }
      // Planted in request and response headers (and query strings, bodies) of what was received…
      const received = (w: number) => emu.truth.records.filter((t) => t.time >= FROM + w * DAY && t.time <= FROM + (w + 1) * DAY);
      expect(cov.windows.map((w) => w.extra.redactions)).toEqual([0, 1, 2].map((w) => received(w).reduce((n, t) => n + t.planted, 0)));
      const texts = await packTexts(out);
      const raw = texts.filter(([name]) => name.startsWith('raw/trail-logs') && name.endsWith('(gunzipped)')).map(([, t]) => t).join('\n');
      for (const header of ['"authorization":"[REDACTED]"', '"x-api-key":"[REDACTED]"', '"Cookie":"[REDACTED]"', '"Set-Cookie":"[REDACTED]"']) expect(raw).toContain(header);
      // …and found in no file of the pack, opened every way, nor the API key.
      expect(texts.some(([name]) => name.includes('.xlsx:xl/worksheets/'))).toBe(true);
      expect(texts.some(([name]) => name.endsWith('.pdf (text)'))).toBe(true);
      expect(filesHolding(texts, [emu.truth.plantedSecret, emu.apiKey])).toEqual([]);
      expect(r.stdout).not.toContain(emu.truth.plantedSecret);
    } finally {
      await behave({ notReady: '202', tokenStyle: 'post', timestampUnit: 'ms', pollsUntilReady: 2 });
    }
  });

  it('a query that never finishes → the window fails with QUERY_TIMEOUT, an INCOMPLETE pack and exit 1', async () => {
    await behave({ pollsUntilReady: 'never' });
    try {
      const out = join(tempDir(), 'pack');
      const file = writeConfig('never', { queryTimeoutMs: 300 });
      const r = await cli(['run', '-c', file, '--from', '2026-10-01', '--to', '2026-10-01', '--tz', 'UTC', '--out', out], { env });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^INCOMPLETE evidence pack/);
      expect(r.stdout).toMatch(/trail-logs window 2026-10-01T00:00:00.000Z – 2026-10-02T00:00:00.000Z failed: Trail Logs query \S+ \(2026-10-01T00:00:00.000Z\.\.2026-10-02T00:00:00.000Z\) was still running after \d+ ms and \d+ polls/);
      expect(r.stdout).toMatch(/ — raise queryTimeoutMs in the trail-logs source config/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const cov = coverage(out);
      expect(cov.complete).toBe(false);
      expect(cov.windows).toHaveLength(1);
      expect(cov.windows[0]).toMatchObject({ status: 'failed', error: { code: 'QUERY_TIMEOUT', hint: expect.stringMatching(/queryTimeoutMs/) } });
      expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    } finally {
      await behave({ pollsUntilReady: 2 });
    }
  });

  it('the API key variable unset → exit 2, one line naming it, no pack', async () => {
    const out = join(tempDir(), 'pack');
    expectCleanFailure(await cli(['run', '-c', configFile, ...PERIOD, '--out', out], { env: { TRAIL_LOGS_API_KEY: '' } }), 2, /environment variable TRAIL_LOGS_API_KEY .*is not set/, out);
  });

  it('a wrong API key → exit 3, one line without the key, no pack', async () => {
    const out = join(tempDir(), 'pack');
    const r = await cli(['run', '-c', configFile, ...PERIOD, '--out', out], { env: { TRAIL_LOGS_API_KEY: 'tl_wrong_0123456789abcdef' } });
    expectCleanFailure(r, 3, /Trail Logs refused the API key \(HTTP 401/, out);
    expect(r.stderr + r.stdout).not.toContain('tl_wrong_0123456789abcdef');
  });

  it('a region that is not global or eu → exit 2 naming the field', async () => {
    const out = join(tempDir(), 'pack');
    expectCleanFailure(await cli(['run', '-c', writeConfig('region', { region: 'us' }), ...PERIOD, '--out', out], { env }), 2, /sources\[0\]\.region/, out);
  });

  it('plan shows the daily windows without calling the API', async () => {
    const before = emu.requestCount();
    const r = await cli(['plan', '-c', configFile, ...DAYS], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^trail-logs — Vendor Trail Logs/m);
    expect(r.stdout).toMatch(/no page size to set/);
    expect(r.stdout).toMatch(/3 windows/);
    expect(emu.requestCount()).toBe(before);
  });
});
