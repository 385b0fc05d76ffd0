import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanFailure } from './expect-clean-failure.js';
import { cli, smapiFixture, tempDir, type SmapiFixture } from './harness.js';

/** Input refused before any request: secrets of every source, period length, the directory's bytes, source types. */
let fx: SmapiFixture;
const period = ['--from', '2026-10-01', '--to', '2026-10-01', '--tz', 'UTC'];

beforeAll(async () => {
  fx = await smapiFixture({ seed: 'limits', period: { start: Date.parse('2026-09-30T00:00:00Z'), end: Date.parse('2026-10-03T00:00:00Z') }, eventCount: 100 });
});
afterAll(async () => {
  await fx.close();
});

function config(name: string, edit: (c: Record<string, unknown> & { sources: Record<string, unknown>[] }) => void): string {
  const c = JSON.parse(readFileSync(fx.configFile, 'utf8')) as Record<string, unknown> & { sources: Record<string, unknown>[] };
  edit(c);
  const file = join(fx.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(c));
  return file;
}

describe('refused before any request', () => {
  it('run: a later source’s missing secret is named before the first source pulls anything', async () => {
    const file = config('two-sources', (c) => c.sources.push({ type: 'trail-logs', region: 'global', endpoint: 'http://127.0.0.1:9', apiKeyEnv: 'LIMITS_TRAIL_KEY_UNSET' }));
    const before = fx.emulator.stats().apiRequests;
    const out = join(tempDir(), 'pack');
    expectCleanFailure(await cli(['run', '-c', file, ...period, '--out', out], { env: fx.env }), 2, /environment variable LIMITS_TRAIL_KEY_UNSET \(named by sources\.trail-logs\.apiKeyEnv\) is not set/, out);
    expect(fx.emulator.stats().apiRequests).toBe(before);
  });

  it('a period longer than a year, unless the config allows it', async () => {
    const century = ['--from', '1926-01-01', '--to', '2025-12-31', '--tz', 'UTC'];
    const files = config('files-only', (c) => (c.sources = [{ type: 'cloudtrail-files', location: fx.dir }]));
    expectCleanFailure(await cli(['plan', '-c', files, ...century]), 2, /the period 1926-01-01\.\.2025-12-31 is 36,525 days long; the longest allowed is 366 — .*maxPeriodDays/);
    // A leap year is a year.
    expect((await cli(['plan', '-c', files, '--from', '2024-01-01', '--to', '2024-12-31', '--tz', 'America/New_York'])).code).toBe(0);
    const wide = config('files-wide', (c) => {
      c.sources = [{ type: 'cloudtrail-files', location: fx.dir }];
      c.maxPeriodDays = 800;
    });
    expect((await cli(['plan', '-c', wide, '--from', '2024-01-01', '--to', '2025-12-31', '--tz', 'UTC'])).code).toBe(0);
  });

  it('invalid UTF-8 in the requester directory, with its line number', async () => {
    writeFileSync(join(fx.dir, 'latin1.csv'), Buffer.concat([Buffer.from('userId,name,email\nu1,Ana,ana@example.com\nu2,Jos'), Buffer.from([0xe9]), Buffer.from(',jose@example.com\n')]));
    const file = config('latin1', (c) => (c.requesterDirectory = 'latin1.csv'));
    expectCleanFailure(await cli(['run', '-c', file, ...period, '--out', join(tempDir(), 'pack')], { env: fx.env }), 2, /requester directory .*latin1\.csv is not valid UTF-8 \(line 3\)/);
  });

  it('an unknown source type, "__proto__" and "constructor" included', async () => {
    const types = ['__proto__', 'constructor', 'sftp'];
    const results = await Promise.all(types.map((type) => cli(['plan', '-c', config(`type-${type}`, (c) => (c.sources = [{ type }])), ...period])));
    types.forEach((type, i) => expectCleanFailure(results[i], 2, new RegExp(`sources\\[0\\]\\.type: unknown source type "${type}" — use one of: smapi`)));
  });
});
