import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAmplitudeEmulator, demoAmplitudeSetup, type AmplitudeEmulator } from '../../../src/emulators/amplitude/index.js';
import { cli, tempDir } from '../../e2e/harness.js';
import { expectCleanFailure } from '../../e2e/expect-clean-failure.js';
import { filesHolding, packTexts } from '../../e2e/pack-texts.js';

/**
 * The built CLI (`npx tsc -p .` first) against a live Amplitude emulator. Retention is counted from
 * the real clock, as the CLI does, so the data sit in the last few weeks.
 */
const DAY = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY) * DAY;
/** About five weeks back, on a day where the emulator's data put an event exactly on the 30-day window's end. */
const FROM = TODAY - (35 + ((TODAY / DAY + 30 - 35) % 4 + 4) % 4) * DAY;
const TO = FROM + 33 * DAY;
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
/** `--to` names the last day included. */
const PERIOD = ['--from', day(FROM), '--to', day(TO - DAY), '--tz', 'UTC'];

let emu: AmplitudeEmulator;
let dir: string;
let configFile: string;
let env: Record<string, string>;

beforeAll(async () => {
  emu = await startAmplitudeEmulator({ seed: 'cli', start: FROM - 3 * DAY, end: TODAY, recordsPerDay: 12 });
  dir = tempDir('ap-amp-cli-');
  const setup = demoAmplitudeSetup(emu);
  env = setup.env;
  configFile = join(dir, 'auditpack.json');
  writeFileSync(configFile, JSON.stringify({ organization: 'CLI Corp', timezone: 'UTC', sources: [{ ...setup.sourceConfig, pageSize: 40 }] }));
});
afterAll(async () => {
  await emu?.close();
});

function writeConfig(name: string, source: Record<string, unknown>): string {
  const c = JSON.parse(readFileSync(configFile, 'utf8')) as { sources: Record<string, unknown>[] };
  c.sources[0] = { ...c.sources[0], ...source };
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(c));
  return file;
}


describe('auditpack run with an Amplitude source (built CLI, live emulator)', () => {
  it('writes a complete pack in windows of at most 30 days, every event once, no key in any file', async () => {
    const out = join(tempDir(), 'pack');
    const before = emu.requests().length;
    const r = await cli(['run', '-c', configFile, ...PERIOD, '--out', out], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const cov = JSON.parse(readFileSync(join(out, 'coverage.json'), 'utf8')) as {
      complete: boolean;
      windows: { window: { start: string; end: string }; eventsKept: number; outsidePeriod: number; rereads: number; duplicates: number }[];
    };
    expect(cov.complete).toBe(true);
    expect(cov.windows.map((w) => (Date.parse(w.window.end) - Date.parse(w.window.start)) / DAY)).toEqual([30, 3]);
    expect(cov.windows.reduce((n, w) => n + w.eventsKept, 0)).toBe(emu.truth.between(FROM, TO).length);
    // The emulator's end_date is inclusive: the event on the first window's end came twice, was dropped there, kept in the next.
    const onBound = emu.truth.records.filter((t) => t.time === FROM + 30 * DAY);
    expect(onBound).toHaveLength(1);
    expect(cov.windows.map((w) => [w.outsidePeriod, w.rereads, w.duplicates])).toEqual([[0, 1, 0], [0, 0, 0]]);
    // Each window is asked as it is, half-open, never over 30 days; the inclusive end_date is the pipeline's to drop.
    const sent = emu.requests().slice(before) as { start_date: string; end_date: string }[];
    const asked = new Set(sent.map((b) => `${b.start_date}..${b.end_date}`));
    expect([...asked].sort()).toEqual(cov.windows.map((w) => `${w.window.start}..${w.window.end}`).sort());
    const texts = await packTexts(out);
    const basic = Buffer.from(`${emu.apiKey}:${emu.secretKey}`).toString('base64');
    expect(filesHolding(texts, [emu.apiKey, emu.secretKey, basic])).toEqual([]);
  });

  it('windowDays 31 in the config → exit 2, one line saying the API refuses ranges over 30 days, no pack', async () => {
    const out = join(tempDir(), 'pack');
    const r = await cli(['run', '-c', writeConfig('w31', { windowDays: 31 }), ...PERIOD, '--out', out], { env });
    expectCleanFailure(r, 2, /sources\[0\]\.windowDays: windowDays must be 30 or less: the Amplitude Audit Logs API refuses ranges over 30 days/, out);
  });

  it('a period starting past the 90-day retention → exit 2 before any request, no pack', async () => {
    const out = join(tempDir(), 'pack');
    const before = emu.requestCount();
    const r = await cli(['run', '-c', configFile, '--from', day(TODAY - 100 * DAY), '--to', day(TODAY - 95 * DAY), '--tz', 'UTC', '--out', out], { env });
    expectCleanFailure(r, 2, /source "amplitude" keeps only 90 days.*choose a period that starts within the last 90 days/, out);
    expect(emu.requestCount()).toBe(before);
  });

  it('the secret key variable unset → exit 2 naming it; a wrong secret → exit 3 without it', async () => {
    const out = join(tempDir(), 'pack');
    expectCleanFailure(await cli(['run', '-c', configFile, ...PERIOD, '--out', out], { env: { ...env, AMPLITUDE_ORG_SECRET_KEY: '' } }), 2, /environment variable AMPLITUDE_ORG_SECRET_KEY .*is not set/, out);
    const wrong = await cli(['run', '-c', configFile, ...PERIOD, '--out', out], { env: { ...env, AMPLITUDE_ORG_SECRET_KEY: 'wrong-secret-0123456789' } });
    expectCleanFailure(wrong, 3, /Amplitude refused the organization credentials \(HTTP 401/, out);
    expect(wrong.stderr + wrong.stdout).not.toContain('wrong-secret-0123456789');
  });
});
