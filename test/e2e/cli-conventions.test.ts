import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closest } from '../../src/util/suggest.js';
import { expectCleanFailure } from './expect-clean-failure.js';
import { cli, tempDir } from './harness.js';

/** A config plan can read without secrets or network. */
function planConfig(dir: string, name: string, organization: string): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ organization, timezone: 'UTC', sources: [{ type: 'trail-logs', apiKeyEnv: 'TRAIL_LOGS_API_KEY' }] }));
  return file;
}

describe('shell completion', () => {
  it('auditpack completion prints a script that asks auditpack for its completions', async () => {
    const r = await cli(['completion'], { env: { SHELL: '/bin/bash' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/auditpack --get-yargs-completions/);
    expect(r.stdout).toMatch(/complete -o bashdefault -o default -F _auditpack_yargs_completions auditpack/);
    const zsh = await cli(['completion'], { env: { SHELL: '/bin/zsh' } });
    expect(zsh.stdout).toMatch(/^#compdef auditpack/);
  });

  it('completes commands and the options of a command', async () => {
    const commands = (await cli(['--get-yargs-completions', 'auditpack', ''])).stdout.split('\n');
    expect(commands).toEqual(expect.arrayContaining(['run', 'plan', 'verify', 'demo', 'init', 'completion']));
    const options = (await cli(['--get-yargs-completions', 'auditpack', 'run', '--'])).stdout.split('\n');
    expect(options).toEqual(expect.arrayContaining(['--config', '--period', '--tz', '--template', '--out']));
  });
});

describe('AUDITPACK_* environment variables', () => {
  it('set the main flags; a flag on the command line wins', async () => {
    const dir = tempDir('ap-env-');
    const fromEnv = planConfig(dir, 'env.json', 'From env');
    const fromFlag = planConfig(dir, 'flag.json', 'From flag');
    const env = { TRAIL_LOGS_API_KEY: 'test-key', AUDITPACK_CONFIG: fromEnv, AUDITPACK_PERIOD: '2026-11', AUDITPACK_TZ: 'Asia/Tokyo', AUDITPACK_TEMPLATE: 'failed-operations' };
    const r = await cli(['plan', '--json'], { env });
    expect(r.stderr).toBe('');
    const plan = JSON.parse(r.stdout) as { period: { label: string; timeZone: string }; template: string; sources: { windows: unknown[] }[] };
    expect([plan.period.label, plan.period.timeZone, plan.template]).toEqual(['2026-11', 'Asia/Tokyo', 'failed-operations']);
    // Flags win, aliases included.
    const flagged = JSON.parse((await cli(['plan', '--json', '-p', '2026-10', '--tz', 'UTC', '-t', 'soc2-monthly'], { env })).stdout) as typeof plan;
    expect([flagged.period.label, flagged.period.timeZone, flagged.template]).toEqual(['2026-10', 'UTC', 'soc2-monthly']);
    // The config variable is read, and a flag replaces it: a missing file named by the variable is not read.
    const missing = { ...env, AUDITPACK_CONFIG: join(dir, 'nope.json') };
    expectCleanFailure(await cli(['plan'], { env: missing }), 2, /nope\.json/);
    expect((await cli(['plan', '--json', '-c', fromFlag], { env: missing })).code).toBe(0);
  });

  it('are ignored by a command without that flag, and a bad value is refused as the flag would be', async () => {
    const dir = tempDir('ap-env-');
    const env = { AUDITPACK_CONFIG: join(dir, 'x.json'), AUDITPACK_TEMPLATE: 'soc2-monthly' };
    const r = await cli(['templates'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expectCleanFailure(await cli(['plan', '-c', planConfig(dir, 'c.json', 'x')], { env: { TRAIL_LOGS_API_KEY: 'test-key', AUDITPACK_PERIOD: 'Octember' } }), 2, /unknown period format "Octember"/);
  });
});

describe('did you mean', () => {
  it('names the command a mistyped one is near', async () => {
    expectCleanFailure(await cli(['rnu']), 2, /^auditpack: unknown command "rnu" — did you mean `auditpack run`\? commands: run, plan/);
    expectCleanFailure(await cli(['verfy', 'x']), 2, /did you mean `auditpack verify`\?/);
    expectCleanFailure(await cli(['xyzzy']), 2, /^auditpack: unknown command "xyzzy" — commands: run, plan/);
  });

  it('names the option a mistyped one is near, and the command help', async () => {
    expectCleanFailure(await cli(['plan', '--perido', '2026-10']), 2, /^auditpack: unknown option --perido — --perido: did you mean --period\? see auditpack plan --help$/);
    expectCleanFailure(await cli(['demo', '--templat', 'x']), 2, /did you mean --template\?/);
  });

  it('suggests only what is near', () => {
    expect(closest('rnu', ['run', 'plan'])).toBe('run');
    expect(closest('pln', ['run', 'plan'])).toBe('plan');
    expect(closest('temp', ['templates', 'run'])).toBe('templates');
    expect(closest('zzz', ['run', 'plan'])).toBeNull();
    expect(closest('verify', ['verify'])).toBe('verify');
  });
});
