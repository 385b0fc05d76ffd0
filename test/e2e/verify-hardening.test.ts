import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import type { Manifest } from '../../src/pack/manifest.js';
import { cli, runPack, smapiFixture, tempDir, type SmapiFixture } from './harness.js';

/** verify against a pack someone has tampered with: links out of it, FIFOs, a re-sealed status. */
let fx: SmapiFixture;
let pack: string;

beforeAll(async () => {
  fx = await smapiFixture({ seed: 'verify', period: { start: Date.parse('2026-09-30T00:00:00Z'), end: Date.parse('2026-10-03T00:00:00Z') }, eventCount: 200 });
  // Every request answers 503 (Retry-After 0): the window fails fast and the pack is INCOMPLETE.
  fx.emulator.faults.every(1, { kind: 'status', status: 503, retryAfter: '0' });
  pack = join(tempDir(), 'pack');
  const r = await runPack({ configFile: fx.configFile, env: fx.env, from: '2026-10-01', to: '2026-10-01', tz: 'UTC', out: pack });
  expect(r.manifest.status).toBe('INCOMPLETE');
});
afterAll(async () => {
  await fx.close();
});

function copyOfPack(): string {
  const dir = join(tempDir(), 'copy');
  cpSync(pack, dir, { recursive: true });
  return dir;
}

describe('verify on a tampered pack', () => {
  it('an untouched INCOMPLETE pack: intact, exit 1', async () => {
    const r = await cli(['verify', pack]);
    expect(r.code).toBe(EXIT.incomplete);
    expect(r.stdout).toMatch(/^OK: .* INCOMPLETE/m);
  });

  it('never follows a symbolic link out of the pack, even one to a file with the right bytes', async () => {
    const dir = copyOfPack();
    const outside = tempDir();
    const [raw] = readdirSync(join(dir, 'raw', 'smapi'));
    // The link points at an identical copy: following it would pass the hash check.
    cpSync(join(dir, 'raw', 'smapi', raw), join(outside, 'same-bytes.gz'));
    rmSync(join(dir, 'raw', 'smapi', raw));
    symlinkSync(join(outside, 'same-bytes.gz'), join(dir, 'raw', 'smapi', raw));
    symlinkSync('/etc', join(dir, 'raw', 'etc'));
    const r = await cli(['verify', dir]);
    expect(r.code).toBe(EXIT.verifyFailed);
    expect(r.stdout).toContain(`REFUSED  raw/smapi/${raw} (a symbolic link`);
    expect(r.stdout).toContain('REFUSED  raw/etc (a symbolic link');
    expect(r.stdout).not.toMatch(/passwd|MISSING/);
  });

  it('refuses a FIFO instead of waiting on it forever, in the pack or as its manifest', async () => {
    const dir = copyOfPack();
    execFileSync('mkfifo', [join(dir, 'notes')]);
    const r = await cli(['verify', dir]);
    expect(r.code).toBe(EXIT.verifyFailed);
    expect(r.stdout).toContain('REFUSED  notes (a FIFO');

    rmSync(join(dir, 'manifest.json'));
    execFileSync('mkfifo', [join(dir, 'manifest.json')]);
    const m = await cli(['verify', dir]);
    expect(m.code).toBe(EXIT.verifyFailed);
    expect(m.stderr).toMatch(/^auditpack: .*manifest\.json is a FIFO, not a file: refused/);
  });

  it('an INCOMPLETE pack re-sealed as COMPLETE fails: summary.json and coverage.json still say INCOMPLETE', async () => {
    const dir = copyOfPack();
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    const forged = JSON.stringify({ ...manifest, status: 'COMPLETE', incompleteReasons: [] }, null, 2) + '\n';
    writeFileSync(join(dir, 'manifest.json'), forged);
    writeFileSync(join(dir, 'manifest.sha256'), `${createHash('sha256').update(forged).digest('hex')}  manifest.json\n`);
    expect(execFileSync('sha256sum', ['-c', 'manifest.sha256'], { cwd: dir }).toString()).toContain('OK');
    const r = await cli(['verify', dir]);
    expect(r.code).toBe(EXIT.verifyFailed);
    expect(r.stdout).toContain('STATUS   summary.json says INCOMPLETE but manifest.json says COMPLETE');
    expect(r.stdout).toContain('STATUS   coverage.json says INCOMPLETE but manifest.json says COMPLETE');
  });
});
