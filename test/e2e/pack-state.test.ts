import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withErrorBoundary } from '../../src/cli/error-boundary.js';
import { EXIT } from '../../src/errors.js';
import type { CoverageLedger } from '../../src/model/coverage.js';
import { createRedactor } from '../../src/util/redactor.js';
import { expectCleanFailure } from './expect-clean-failure.js';
import { CLI, cli, describeRunningClis, interruptAtWindow, readJson, runPack, smapiFixture, tempDir, type CliResult, type SmapiFixture, splitProgress } from './harness.js';

/** The state an interrupted run leaves, the pack folder's neighbours, and who may write there. */
let fx: SmapiFixture;
const FROM = Date.parse('2026-10-01T00:00:00Z');
const TO = Date.parse('2026-10-05T00:00:00Z');
const period = ['--from', '2026-10-01', '--to', '2026-10-04', '--tz', 'UTC'];

beforeAll(async () => {
  fx = await smapiFixture({ seed: 'state', period: { start: FROM - 86_400_000, end: TO + 86_400_000 }, eventCount: 400, sourceExtra: { pageSize: 40, concurrency: 1 } });
});
afterAll(async () => {
  await fx.close();
});
// A test here once timed out at 60 s (normally 5-10 s) and was never reproduced: a failed test
// prints what each CLI run still going was doing, and what the emulator had served.
afterEach(async ({ task }) => {
  if (task.result?.state !== 'fail') return;
  console.error(`${await describeRunningClis()}\nSMAPI emulator: ${JSON.stringify(fx.emulator.stats())}`);
});

const run = (out: string, extra: string[] = [], opts: { cwd?: string; env?: Record<string, string> } = {}) =>
  cli(['run', '-c', fx.configFile, ...period, '--out', out, '--generated-at', '2026-11-02T09:00:00Z', ...extra], { env: { ...fx.env, ...opts.env }, cwd: opts.cwd });

describe('crash-safe resume state', () => {
  it('a torn checkpoint and a changed raw archive are detected, those windows pulled again, and the rest reused', async () => {
    const out = join(tempDir(), 'pack');
    await expect(
      runPack({ configFile: fx.configFile, env: fx.env, from: '2026-10-01', to: '2026-10-04', tz: 'UTC', out, ...interruptAtWindow(4) }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    const staging = join(out, '..', '.pack.partial');
    const checkpoints = join(staging, '.state', 'windows', 'smapi');
    const names = readdirSync(checkpoints).filter((n) => n.endsWith('.json')).sort();
    expect(names).toHaveLength(3);
    // kill -9 while a checkpoint was being written (what today's run left: 0 bytes), and a raw archive cut or changed.
    writeFileSync(join(checkpoints, names[0]), '');
    appendFileSync(join(staging, 'raw', 'smapi', names[1].replace(/\.json$/, '.ndjson.gz')), 'x');

    const r = await run(out);
    expect(r.stderr).not.toMatch(/internal error|Unexpected end/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/resuming smapi: 1 of 4 windows reused from the interrupted run, 3 pulled \(2 of them because the saved state was damaged/);
    expect(r.stderr).toContain(`${names[0].replace(/\.json$/, '')}: its checkpoint is empty`);
    expect(r.stderr).toContain(`${names[1].replace(/\.json$/, '')}: its raw archive is`);
    const coverage = await readJson<CoverageLedger>(join(out, 'coverage.json'));
    expect(coverage.windows.map((w) => w.resumed)).toEqual([false, false, true, false]);
    const summary = await readJson<{ totals: { events: number; duplicatesRemoved: number } }>(join(out, 'summary.json'));
    expect(summary.totals.events).toBe(fx.emulator.truth.count({ start: FROM, end: TO }).events);
    expect(summary.totals.duplicatesRemoved).toBe(0);
    expect(existsSync(staging)).toBe(false);
    expect((await cli(['verify', out])).code).toBe(0);
  });
});

describe('--force replaces only an auditpack pack', () => {
  it('refuses a folder that is not a pack, a file, the current folder and the home folder, with or without --force, touching nothing', async () => {
    const dir = tempDir();
    const notPack = join(dir, 'documents');
    mkdirSync(notPack);
    writeFileSync(join(notPack, 'thesis.txt'), 'years of work');
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'keep me');
    const home = join(dir, 'home');
    mkdirSync(home);
    writeFileSync(join(home, '.profile'), 'x');

    const [folder, aFile, dot, homeDir] = await Promise.all([
      run(notPack, ['--force']),
      run(file, ['--force']),
      run('.', ['--force'], { cwd: notPack }),
      run(home, ['--force'], { env: { HOME: home } }),
    ]);
    expectCleanFailure(folder, 2, /documents exists and is not an auditpack pack .*even with --force/);
    expectCleanFailure(aFile, 2, /notes\.txt is a file, not a pack folder/);
    expectCleanFailure(dot, 2, /is the current folder or one above it/);
    expectCleanFailure(homeDir, 2, /is your home folder/);
    expect(readFileSync(join(notPack, 'thesis.txt'), 'utf8')).toBe('years of work');
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    expect(readdirSync(home)).toEqual(['.profile']);
  });

  it('writes into an empty folder, and replaces an earlier pack with --force', async () => {
    const out = join(tempDir(), 'empty');
    mkdirSync(out);
    expect((await run(out)).code).toBe(0);
    expect((await run(out, ['--force'])).code).toBe(0);
    expect((await cli(['verify', out])).code).toBe(0);
  });
});

/** Spawns the CLI and collects its output; `exited` resolves with the result. */
function start(args: string[], env: Record<string, string>): { child: ChildProcess; exited: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, exited: new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, ...splitProgress(stderr) }))) };
}

describe('one run per pack', () => {
  it('a second run on the same --out exits 2 naming the pack and the process holding it; SIGTERM stops the first (130) and frees it', async () => {
    const out = join(tempDir(), 'pack');
    const lock = join(out, '..', '.pack.lock');
    // Slow pages keep the first run busy until the second has been refused and SIGTERM arrives.
    fx.emulator.faults.every(1, { kind: 'slow', delayMs: 20_000 });
    const first = start(['run', '-c', fx.configFile, ...period, '--out', out], fx.env);
    try {
      while (!existsSync(lock)) await sleep(20);
      const second = await run(out);
      expectCleanFailure(second, 2, /pack is being written by another auditpack run \(pid \d+ on .*; lock .*\.pack\.lock\)/, out);
    } finally {
      fx.emulator.faults.clear();
      first.child.kill('SIGTERM');
    }
    const r = await first.exited;
    expect(r.code).toBe(EXIT.interrupted);
    expect(r.stderr).toMatch(/^auditpack: .*interrupted — run the same command again to resume/);
    expect(existsSync(lock)).toBe(false);
    expect(existsSync(join(out, '..', '.pack.partial'))).toBe(true);
  });

  it('a lock left by a process that no longer exists is removed, saying so; one from another host is not', async () => {
    const out = join(tempDir(), 'pack');
    const lock = join(out, '..', '.pack.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    await writeFile(lock, JSON.stringify({ pid: Number(dead), host: hostname(), startedAt: '2026-11-01T00:00:00.000Z' }));
    const r = await run(out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`removed a stale lock .*\\.pack\\.lock: its run \\(pid ${dead}, started 2026-11-01T00:00:00.000Z\\) is no longer running`));

    await writeFile(lock, JSON.stringify({ pid: Number(dead), host: 'build-agent-7', startedAt: '2026-11-01T00:00:00.000Z' }));
    expectCleanFailure(await run(out, ['--force']), 2, /being written by another auditpack run \(pid \d+ on build-agent-7/);
  });
});

describe('I/O errors: one line, exit 73, never 70', () => {
  it('--out under a file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-file'), 'x');
    expectCleanFailure(await run(join(dir, 'a-file', 'pack')), EXIT.cannotWrite, /cannot write .*a-file\/pack: a part of the path is a file, not a folder \(ENOTDIR\) — choose another --out/);
  });

  it('a disk that is full (a real ENOSPC from /dev/full)', async () => {
    if (!existsSync('/dev/full')) return console.log('skipped: no /dev/full on this system');
    const lines: string[] = [];
    const code = await withErrorBoundary({ stderr: (l) => lines.push(l), verbose: false, redactor: createRedactor() }, async () => {
      await writeFile('/dev/full', 'a page of records');
      return 0;
    });
    expect(code).toBe(EXIT.cannotWrite);
    expect(lines).toEqual(['auditpack: cannot write a file: no space left on the device (ENOSPC) — free some space (or write elsewhere with --out), then run the same command again to resume']);
  });

  it('a folder it may not write to', async () => {
    if (process.getuid?.() === 0) return console.log('skipped: running as root, permissions do not stop writes');
    const dir = tempDir();
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    expectCleanFailure(await run(join(locked, 'pack')), EXIT.cannotWrite, /permission denied \(EACCES\)/);
  });
});
