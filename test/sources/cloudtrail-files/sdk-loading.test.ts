import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { demoCloudtrailFilesSetup } from '../../../src/emulators/cloudtrail-files/demo.js';
import { cli } from '../../e2e/harness.js';

/**
 * Loaded into a process by NODE_OPTIONS: at exit it says which AWS SDK clients were loaded (both
 * are CommonJS packages, so they are in the require cache once imported from anywhere).
 */
const HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { createRequire } from 'node:module'; const cache = createRequire(process.cwd() + '/').cache;" +
      "process.on('exit', () => { const k = Object.keys(cache); process.stderr.write('\\nSDK-LOADED ' + JSON.stringify({ s3: k.some((x) => x.includes('client-s3')), cloudtrail: k.some((x) => x.includes('client-cloudtrail')) }) + '\\n'); });",
  );
/** What each thread said at its exit (worker threads run the hook too), merged: a client any of them loaded. */
const loaded = (stderr: string) => {
  const said = [...stderr.matchAll(/SDK-LOADED (\{.*\})/g)].map((m) => JSON.parse(m[1]) as { s3: boolean; cloudtrail: boolean });
  return said.length ? { s3: said.some((x) => x.s3), cloudtrail: said.some((x) => x.cloudtrail) } : null;
};

const dir = mkdtempSync(join(tmpdir(), 'ap-sdk-loading-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the AWS SDK is loaded only by what reads AWS', () => {
  it('the hook sees a client loaded', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('@aws-sdk/client-s3')"], { env: { ...process.env, NODE_OPTIONS: `--import=${HOOK}` }, encoding: 'utf8' });
    expect(loaded(r.stderr)).toEqual({ s3: true, cloudtrail: false });
  });

  it('a run over a local folder with digests checked against a key file loads neither the S3 nor the CloudTrail client', async () => {
    const files = demoCloudtrailFilesSetup(join(dir, 'logs'), { now: Date.parse('2026-11-03T00:00:00Z'), days: 3 });
    const config = join(dir, 'local.json');
    writeFileSync(config, JSON.stringify({ organization: 'X', timezone: 'UTC', sources: [files.sourceConfig] }));
    const r = await cli(['run', '-c', config, '--from', '2026-11-01', '--to', '2026-11-01', '--out', join(dir, 'pack')], { env: { ...files.env, NODE_OPTIONS: `--import=${HOOK}` } });
    expect(r.code, r.stderr + r.stdout + r.progress.join('\n')).toBe(0);
    expect(loaded(r.stderr)).toEqual({ s3: false, cloudtrail: false });
  });

  it('plan for an s3:// trail creates its source without loading the S3 client: it is made at the first read', async () => {
    const config = join(dir, 's3.json');
    writeFileSync(config, JSON.stringify({ organization: 'X', timezone: 'UTC', sources: [{ type: 'cloudtrail-files', location: 's3://some-trail-bucket/prefix' }] }));
    const r = await cli(['plan', '-c', config, '--period', '2026-10'], { env: { AWS_ACCESS_KEY_ID: 'AKIAPLANONLY00000000', AWS_SECRET_ACCESS_KEY: 'plan-only-not-a-secret', AWS_REGION: 'us-east-1', NODE_OPTIONS: `--import=${HOOK}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(loaded(r.stderr)).toEqual({ s3: false, cloudtrail: false });
  });
});
