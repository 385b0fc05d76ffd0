import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAmplitudeEmulator, demoAmplitudeSetup, type AmplitudeEmulator } from '../../src/emulators/amplitude/index.js';
import { startSmapiEmulator, demoSmapiSetup, type SmapiEmulator } from '../../src/emulators/smapi/index.js';
import { startTrailLogsEmulator, demoTrailLogsSetup, type TrailLogsEmulator } from '../../src/emulators/trail-logs/index.js';
import { isAuditpackError, type AuditpackError } from '../../src/errors.js';
import type { Manifest } from '../../src/pack/manifest.js';
import type { CoverageLedger } from '../../src/model/coverage.js';
import type { NetworkLog } from '../../src/model/network-log.js';
import { filesHolding, packTexts } from './pack-texts.js';
import { readJson, runPack, tempDir } from './harness.js';

/**
 * Hostile servers (issue 12 items 3, 4, 5): a response that drips forever, one too large, one
 * nested 100,000 deep, and endpoints that carry credentials or send them in clear. Each fails
 * its window or is refused up front; none hangs the run or ends it with an internal error.
 */
const DAY = 86_400_000;
const FROM = '2026-11-20';
const TO = '2026-11-22'; // inclusive: 20, 21 and 22 November
const START = Date.parse(`${FROM}T00:00:00Z`);
const END = Date.parse(`${TO}T00:00:00Z`) + DAY;

let smapi: SmapiEmulator;
let trail: TrailLogsEmulator;
let amplitude: AmplitudeEmulator;

beforeAll(async () => {
  smapi = await startSmapiEmulator({ period: { start: START - 2 * DAY, end: END + 2 * DAY }, eventCount: 300 });
  trail = await startTrailLogsEmulator({ start: START - 2 * DAY, end: END + 2 * DAY, recordsPerDay: 20 });
  amplitude = await startAmplitudeEmulator({ start: START - 2 * DAY, end: END + 2 * DAY, recordsPerDay: 10 });
});
afterAll(async () => {
  await Promise.all([smapi?.close(), trail?.close(), amplitude?.close()]);
});

function writeConfig(sources: Record<string, unknown>[]): string {
  const dir = tempDir();
  const file = join(dir, 'auditpack.json');
  writeFileSync(file, JSON.stringify({ organization: 'Hostile Corp', timezone: 'UTC', sources }, null, 2));
  return file;
}

const env = () => ({ ...demoSmapiSetup(smapi).env, ...demoTrailLogsSetup(trail).env, ...demoAmplitudeSetup(amplitude).env });

async function refusal(p: Promise<unknown>): Promise<AuditpackError> {
  try {
    await p;
  } catch (e) {
    if (isAuditpackError(e)) return e;
    throw e;
  }
  throw new Error('expected the run to be refused');
}

describe('hostile responses fail their window, never the run', () => {
  it('a dripping server, a huge body and JSON nested 100,000 deep: three failed windows, the rest pulled, INCOMPLETE', { timeout: 60_000 }, async () => {
    // SMAPI: the first answer is nested 100,000 deep (it used to end the whole run with exit 70).
    smapi.faults.clear();
    smapi.faults.enqueue({ kind: 'bad-body', body: 'deep', depth: 100_000 });
    // Trail Logs: every answer drips a byte every 50 ms, which no idle timeout ends.
    trail.faults.clear();
    trail.faults.every(1, { kind: 'drip', intervalMs: 50 });
    // Amplitude: a 2 MiB answer past a 1 MiB cap.
    amplitude.faults.clear();
    amplitude.faults.every(1, { kind: 'bad-body', body: 'huge', bytes: 2 * 1024 * 1024 });
    const configFile = writeConfig([
      { ...demoSmapiSetup(smapi).sourceConfig, concurrency: 1, allowInsecureHttp: true },
      { ...demoTrailLogsSetup(trail).sourceConfig, concurrency: 1, requestTimeoutMs: 200, windowTimeoutMs: 700 },
      { ...demoAmplitudeSetup(amplitude).sourceConfig, maxResponseBytes: 1024 * 1024 },
    ]);
    const out = join(tempDir(), 'pack');
    try {
      await runPack({ configFile, env: env(), from: FROM, to: TO, tz: 'UTC', out });
    } finally {
      trail.faults.clear();
      amplitude.faults.clear();
    }
    const coverage = await readJson<CoverageLedger>(join(out, 'coverage.json'));
    const manifest = await readJson<Manifest>(join(out, 'manifest.json'));
    expect(manifest.status).toBe('INCOMPLETE');
    expect(coverage.complete).toBe(false);

    const rows = (source: string) => coverage.windows.filter((w) => w.source === source);
    // SMAPI: the window that got the deep answer failed with the reason; the other two are complete.
    const smapiRows = rows('smapi');
    expect(smapiRows).toHaveLength(3);
    const deep = smapiRows.filter((w) => w.status === 'failed');
    expect(deep).toHaveLength(1);
    expect(deep[0].error?.code).toBe('DATA_INVALID');
    expect(deep[0].error?.message).toMatch(/nested too deeply/);
    expect(smapiRows.filter((w) => w.status === 'complete')).toHaveLength(2);
    // Trail Logs: every window ended by its deadline, with a reason naming it.
    for (const w of rows('trail-logs')) {
      expect(w.status).toBe('failed');
      expect(w.error?.code).toBe('DEADLINE_EXCEEDED');
      expect(w.error?.message).toMatch(/not finished within 700 ms \(the window deadline\)/);
      expect(w.error?.hint).toMatch(/windowTimeoutMs/);
    }
    // Amplitude: refused at the cap, not retried.
    const amp = rows('amplitude');
    expect(amp).toHaveLength(1);
    expect(amp[0].status).toBe('failed');
    expect(amp[0].error?.code).toBe('RESPONSE_TOO_LARGE');
    const network = await readJson<NetworkLog>(join(out, 'network.json'));
    expect(network.windows.filter((w) => w.source === 'amplitude').map((w) => w.attempts)).toEqual([1]);
    for (const reason of ['nested too deeply', 'window deadline', 'larger than the 1 MiB allowed']) {
      expect(manifest.incompleteReasons.join('\n')).toContain(reason);
    }

    // allowInsecureHttp is stated in the coverage ledger and the PDF.
    const transport = coverage.sources.find((s) => s.source === 'smapi' && s.title === 'Transport security');
    expect(transport?.facts).toMatchObject({ allowInsecureHttp: true });
    expect(String(transport?.facts.plainHttpEndpoints)).toContain(smapi.url);
    const texts = await packTexts(out);
    expect(filesHolding(texts, ['were sent without TLS'])).toEqual(expect.arrayContaining(['coverage.json', 'report.pdf (text, joined)']));
    // The one source without allowInsecureHttp has no such section.
    expect(coverage.sources.filter((s) => s.title === 'Transport security').map((s) => s.source)).toEqual(['smapi']);
  });
});

describe('credentials in endpoints', () => {
  it('an endpoint with user:password is refused before anything is pulled or written, without repeating it', async () => {
    const url = new URL(smapi.url);
    const configFile = writeConfig([{ ...demoSmapiSetup(smapi).sourceConfig, endpoint: `http://auditor:Hunter2Pass@${url.host}` }]);
    const out = join(tempDir(), 'pack');
    const requests = smapi.requestCount();
    const e = await refusal(runPack({ configFile, env: env(), from: FROM, to: TO, tz: 'UTC', out }));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/sources\[0\]\.endpoint: must not hold a user name or password .*use an \.\.\.Env key/);
    expect(`${e.message} ${e.hint ?? ''}`).not.toContain('Hunter2Pass');
    expect(existsSync(out)).toBe(false);
    expect(smapi.requestCount()).toBe(requests);
  });

  it('http:// to another machine is refused unless the source says allowInsecureHttp', async () => {
    const base = demoTrailLogsSetup(trail).sourceConfig;
    const e = await refusal(runPack({ configFile: writeConfig([{ ...base, endpoint: 'http://trail.example.com/' }]), env: env(), from: FROM, to: TO, tz: 'UTC', out: join(tempDir(), 'p') }));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(/sources\[0\]\.endpoint: uses http:\/\/ to trail\.example\.com, another machine: .*"allowInsecureHttp": true/);
    // The token endpoint of SMAPI is checked too.
    const s = demoSmapiSetup(smapi).sourceConfig as { auth: Record<string, unknown> };
    const e2 = await refusal(
      runPack({ configFile: writeConfig([{ ...s, auth: { ...s.auth, tokenEndpoint: 'http://10.1.2.3/auth/o2/token' } }]), env: env(), from: FROM, to: TO, tz: 'UTC', out: join(tempDir(), 'p') }),
    );
    expect(e2.message).toMatch(/sources\[0\]\.auth\.tokenEndpoint: uses http:\/\/ to 10\.1\.2\.3/);
  });

  it('a secret pasted where the NAME of a variable belongs is refused and never repeated', async () => {
    const pasted = 'Atzr|IwEBIFakeRefreshTokenPastedByMistake0123456789';
    const s = demoSmapiSetup(smapi).sourceConfig as { auth: Record<string, unknown> };
    for (const value of [pasted, 'AKIAIOSFODNN7EXAMPLE', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a']) {
      const e = await refusal(
        runPack({ configFile: writeConfig([{ ...s, auth: { ...s.auth, refreshTokenEnv: value } }]), env: env(), from: FROM, to: TO, tz: 'UTC', out: join(tempDir(), 'p') }),
      );
      expect(e.code).toBe('CONFIG_INVALID');
      expect(e.message).toMatch(/sources\[0\]\.auth\.refreshTokenEnv: this must be the name of an environment variable .*not shown/);
      expect(`${e.message} ${e.hint ?? ''}`).not.toContain(value);
    }
  });
});
