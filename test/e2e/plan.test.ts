import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure } from './expect-clean-failure.js';
import { cli, tempDir } from './harness.js';

describe('auditpack plan', () => {
  it('checks every source’s secrets up front (exit 2 naming each missing one), then plans without reading them or opening a connection', async () => {
    const dir = tempDir();
    const config = join(dir, 'auditpack.json');
    // Every endpoint is a closed port: plan must not need any of them.
    const closed = 'http://127.0.0.1:9';
    writeFileSync(
      config,
      JSON.stringify({
        organization: 'Plan Corp',
        sources: [
          { type: 'smapi', vendorId: 'M1PLAN', endpoint: closed, auth: { refreshTokenEnv: 'PLAN_UNSET_1', clientIdEnv: 'PLAN_UNSET_2', clientSecretEnv: 'PLAN_UNSET_3', tokenEndpoint: `${closed}/auth/o2/token` } },
          { type: 'cloudtrail', regions: ['us-east-1'], endpoint: closed, lookup: { EventSource: ['lex.amazonaws.com'] } },
          { type: 'cloudtrail-files', location: join(dir, 'no-such-folder') },
          { type: 'trail-logs', region: 'global', endpoint: closed, apiKeyEnv: 'PLAN_UNSET_4' },
          { type: 'amplitude', orgId: '76273', endpoint: closed, apiKeyEnv: 'PLAN_UNSET_5', secretKeyFile: 'amplitude-secret.txt' },
        ],
      }),
    );
    const recent = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
    const args = ['plan', '-c', config, '--from', recent, '--to', recent, '--tz', 'UTC'];
    const unset = await cli(args);
    expectCleanFailure(unset, 2, /^auditpack: 6 secrets are missing: /);
    for (const n of [1, 2, 3, 4, 5]) expect(unset.stderr).toContain(`environment variable PLAN_UNSET_${n} (named by sources.`);
    expect(unset.stderr).toContain('the secret file amplitude-secret.txt (named by sources.amplitude.secretKeyFile) does not exist');

    writeFileSync(join(dir, 'amplitude-secret.txt'), 'not read by plan\n');
    const env = Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`PLAN_UNSET_${n}`, `value-${n}`]));
    const r = await cli(args, { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const type of ['smapi', 'cloudtrail', 'cloudtrail-files', 'trail-logs', 'amplitude']) expect(r.stdout).toMatch(new RegExp(`^${type}\\b.*\\n\\s+1 window`, 'm'));
  });
});
