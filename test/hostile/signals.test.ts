import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCloudTrailLogFolder, type LogFolderTruth } from '../../src/emulators/cloudtrail-files/index.js';
import { EXIT } from '../../src/errors.js';
import { cli, readJson } from '../e2e/harness.js';
import { startCli } from './cli-process.js';

/**
 * Issue 12 item 11 from the outside: Ctrl-C (SIGINT) or SIGTERM reaching the real CLI process
 * while it renders the pack stops it with exit 130, leaves no finished pack at --out, and the same
 * command run again resumes (every window reused) and completes. The signal is sent when
 * `--log-format json` announces the first `render …` stage, so it always lands during rendering;
 * the PDF, the workbook and the CSV still to write after summary.json keep it busy for seconds, far
 * longer than a signal takes to arrive.
 */
const DAY = Date.UTC(2026, 6, 1);
let dir: string;
let truth: LogFolderTruth;
let configFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ap-signals-'));
  truth = writeCloudTrailLogFolder({
    dir: join(dir, 'trail'),
    accounts: ['111122223333'],
    regions: ['us-east-1'],
    period: { start: DAY, end: DAY + 86_400_000 },
    seed: 'signals',
    eventsPerFile: 20,
    fileEveryMinutes: 15,
    insights: false,
  });
  configFile = join(dir, 'auditpack.json');
  writeFileSync(configFile, JSON.stringify({ organization: 'Signals test', timezone: 'UTC', sources: [{ type: 'cloudtrail-files', location: 'trail', lateDeliveryMinutes: 30 }] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const args = (out: string) => ['run', '-c', configFile, '--period', '2026-07-01', '--tz', 'UTC', '--out', out, '--generated-at', '2026-07-10T00:00:00Z', '--workers', '1'];

describe.each(['SIGINT', 'SIGTERM'] as const)('%s while the pack is being rendered (a real process)', (signal) => {
  it('exits 130, leaves no pack at --out, and a re-run resumes every window and completes', async () => {
    const out = join(dir, `pack-${signal}`);
    const staging = join(dir, `.pack-${signal}.partial`);
    const run = startCli([...args(out), '--log-format', 'json']);
    const rendering = await run.waitForLine((l) => l.type === 'progress' && l.event === 'start' && typeof l.stage === 'string' && l.stage.startsWith('render '));
    run.child.kill(signal);
    const stopped = await run.exited;

    expect(stopped.code, `stage at the signal: ${rendering.stage}; stderr:\n${stopped.stderr}`).toBe(EXIT.interrupted);
    expect(stopped.stderr).toMatch(/^auditpack: interrupted.* — run the same command again to resume/m);
    expect(stopped.stderr).not.toMatch(/internal error|unexpected error|\n\s+at /);
    expect(run.lines.some((l) => l.stage === 'seal (manifest)')).toBe(false);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(staging)).toContain('.state');
    expect(existsSync(join(dir, `.pack-${signal}.lock`))).toBe(false);

    const again = await cli(args(out));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/^warn: resuming cloudtrail-files: its one window replayed from the interrupted run$/m);
    expect(existsSync(staging)).toBe(false);
    const summary = await readJson<{ complete: boolean; totals: { events: number } }>(join(out, 'summary.json'));
    expect(summary.complete).toBe(true);
    expect(summary.totals.events).toBe(truth.events.length);
    expect((await cli(['verify', out])).code).toBe(0);
  }, 240_000);
});
