import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './harness.js';

describe('auditpack plan', () => {
  it('plans every source type without reading a secret or opening a connection', async () => {
    const dir = tempDir();
    const config = join(dir, 'auditpack.json');
    // The named variables are set nowhere, and every endpoint is a closed port: plan must need neither.
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
          { type: 'amplitude', orgId: '76273', endpoint: closed, apiKeyEnv: 'PLAN_UNSET_5', secretKeyEnv: 'PLAN_UNSET_6' },
        ],
      }),
    );
    const recent = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
    const r = await cli(['plan', '-c', config, '--from', recent, '--to', recent, '--tz', 'UTC']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const type of ['smapi', 'cloudtrail', 'cloudtrail-files', 'trail-logs', 'amplitude']) expect(r.stdout).toMatch(new RegExp(`^${type}\\b.*\\n\\s+1 window`, 'm'));
  });
});
