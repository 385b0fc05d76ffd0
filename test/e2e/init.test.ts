import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_REF } from '../../src/config/json-schema.js';
import { hasStarter } from '../../src/config/starter-config.js';
import { sourceRegistry } from '../../src/sources/registry.js';
import { schemaValidator } from '../support/config-schema.js';
import { expectCleanFailure } from './expect-clean-failure.js';
import { cli, tempDir } from './harness.js';

/** Every `...Env` variable a config names, set (plan checks that each is present before it plans). */
function envFor(config: unknown): Record<string, string> {
  const names = JSON.stringify(config).match(/"\w+Env":"(\w+)"/g) ?? [];
  return Object.fromEntries(names.map((m) => [m.replace(/^.*:"(\w+)"$/, '$1'), 'placeholder-value']));
}

describe('auditpack init', () => {
  const v = schemaValidator();

  it('writes a starter config that validates against the shipped schema and that plan reads', async () => {
    const dir = tempDir('ap-init-');
    const r = await cli(['init', '--source', 'smapi', '--out', 'x.json', '--tz', 'Europe/Berlin'], { cwd: dir });
    expect(r.code).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'x.json'), 'utf8')) as Record<string, unknown>;
    expect(config.$schema).toBe(SCHEMA_REF);
    expect(config.timezone).toBe('Europe/Berlin');
    expect(v.config(config)).toEqual({ ok: true, errors: 'No errors' });
    // The next steps name the variables to set and the commands to run.
    expect(r.stdout).toMatch(/Wrote x\.json \(smapi\)/);
    expect(r.stdout).toMatch(/LWA_REFRESH_TOKEN, LWA_CLIENT_ID, LWA_CLIENT_SECRET/);
    expect(r.stdout).toMatch(/auditpack plan -c x\.json/);
    // plan reads it once the variables it names are set.
    const plan = await cli(['plan', '-c', 'x.json', '--period', '2026-11', '--json'], { cwd: dir, env: envFor(config) });
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    const parsed = JSON.parse(plan.stdout) as { sources: { type: string; windows: unknown[] }[]; period: { timeZone: string } };
    expect(parsed.sources.map((s) => s.type)).toEqual(['smapi']);
    expect(parsed.sources[0].windows).toHaveLength(30);
    expect(parsed.period.timeZone).toBe('Europe/Berlin');
  });

  it('configures several sources at once; each starter validates and plans', async () => {
    const dir = tempDir('ap-init-');
    const types = Object.keys(sourceRegistry).filter(hasStarter);
    expect(types.length).toBe(Object.keys(sourceRegistry).length);
    const r = await cli(['init', ...types.flatMap((t) => ['--source', t]), '--out', 'all.json', '--tz', 'UTC'], { cwd: dir });
    expect(r.code).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'all.json'), 'utf8')) as { sources: { type: string }[] };
    expect(config.sources.map((s) => s.type)).toEqual(types);
    expect(v.config(config)).toEqual({ ok: true, errors: 'No errors' });
    expect(r.stdout).toMatch(/AWS credentials come from the standard chain/);
    const plan = await cli(['plan', '-c', 'all.json', '--period', '2026-11', '--json'], { cwd: dir, env: envFor(config) });
    expect(plan.code).toBe(0);
    expect((JSON.parse(plan.stdout) as { sources: unknown[] }).sources).toHaveLength(types.length);
  });

  it('refuses to overwrite a file, leaving it as it was', async () => {
    const dir = tempDir('ap-init-');
    writeFileSync(join(dir, 'auditpack.json'), '{"mine": true}\n');
    expectCleanFailure(await cli(['init', '--source', 'trail-logs'], { cwd: dir }), 2, /auditpack\.json already exists: init never overwrites a config — choose another --out/);
    expect(readFileSync(join(dir, 'auditpack.json'), 'utf8')).toBe('{"mine": true}\n');
  });

  it('names the source types when none or an unknown one is given', async () => {
    const dir = tempDir('ap-init-');
    expectCleanFailure(await cli(['init'], { cwd: dir }), 2, /name at least one source to configure — --source smapi \(one of: smapi, cloudtrail/);
    expectCleanFailure(await cli(['init', '--source', 'cloudtrial'], { cwd: dir }), 2, /unknown source type "cloudtrial" — did you mean --source cloudtrail\?/);
  });
});
