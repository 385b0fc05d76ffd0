import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, smapiFixture, tempDir, type SmapiFixture } from '../e2e/harness.js';
import { startCli } from './cli-process.js';

/**
 * Issue 12 item 1 from the outside: `kill -9` (no handler runs, nothing is cleaned up) in the middle
 * of the pull, then the same command again. The re-run takes over the dead run's lock, reuses the
 * windows it checkpointed, pulls the rest and ends with the same summary.json as a run that was
 * never interrupted. No timed assertion: a hang shows as the test's (generous) timeout.
 */
let fx: SmapiFixture;
const FROM = Date.parse('2026-10-01T00:00:00Z');
const TO = Date.parse('2026-10-07T00:00:00Z');
const period = ['--from', '2026-10-01', '--to', '2026-10-06', '--tz', 'UTC', '--generated-at', '2026-11-02T09:00:00Z'];

beforeAll(async () => {
  fx = await smapiFixture({ seed: 'kill-9', period: { start: FROM - 86_400_000, end: TO + 86_400_000 }, eventCount: 600, sourceExtra: { pageSize: 40, concurrency: 1 } });
});
afterAll(async () => {
  await fx.close();
});

// `--out pack` relative to each run's folder: the command line (which summary.json records) is the same.
const args = ['run', '-c', '', ...period, '--out', 'pack'];
const argv = () => args.map((a, i) => (i === 2 ? fx.configFile : a));

/** Waits (polling the file system) until `count` window checkpoints of the run in `cwd` exist. */
async function checkpoints(cwd: string, count: number): Promise<string[]> {
  const folder = join(cwd, '.pack.partial', '.state', 'windows', 'smapi');
  for (;;) {
    const names = existsSync(folder) ? readdirSync(folder).filter((n) => n.endsWith('.json')) : [];
    if (names.length >= count) return names;
    await sleep(10);
  }
}

describe('kill -9 in the middle of the pull, then the same command again', () => {
  it('resumes from the checkpoints, takes over the lock, and ends with the summary.json of an uninterrupted run', async () => {
    const reference = tempDir('ap-kill-reference-');
    const first = await cli(argv(), { env: fx.env, cwd: reference });
    expect(first.code, first.stderr).toBe(0);

    const dir = tempDir('ap-kill-');
    const out = join(dir, 'pack');
    // Slow answers keep the run inside its pull long after its first window is checkpointed.
    fx.emulator.faults.every(1, { kind: 'slow', delayMs: 250 });
    const victim = startCli(argv(), { env: fx.env, cwd: dir });
    let done: string[];
    try {
      done = await checkpoints(dir, 1);
      victim.child.kill('SIGKILL');
      const killed = await victim.exited;
      expect(killed.signal).toBe('SIGKILL');
    } finally {
      fx.emulator.faults.clear();
    }
    const windows = 6;
    expect(done.length).toBeLessThan(windows);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, '.pack.lock'))).toBe(true);

    const again = await cli(argv(), { env: fx.env, cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/internal error|unexpected error|Unexpected end/);
    expect(again.stderr).toMatch(/removed a stale lock .*\.pack\.lock: its run \(pid \d+, started .*\) is no longer running/);
    expect(again.stderr).toMatch(new RegExp(`resuming smapi: \\d+ of ${windows} windows reused from the interrupted run`));
    expect(existsSync(join(dir, '.pack.partial'))).toBe(false);
    expect(existsSync(join(dir, '.pack.lock'))).toBe(false);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(readFileSync(join(reference, 'pack', 'summary.json'), 'utf8'));
    expect((await cli(['verify', out])).code).toBe(0);
  }, 300_000);
});
