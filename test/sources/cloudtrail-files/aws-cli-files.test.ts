import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudTrailEmulator, type CloudTrailEmulator } from '../../../src/emulators/cloudtrail/index.js';
import { uploadLogFolder, writeCloudTrailLogFolder, type LogFolderTruth } from '../../../src/emulators/cloudtrail-files/index.js';
import { publicKeyFingerprint } from '../../../src/sources/cloudtrail-files/public-keys.js';
import { DAY, HOUR, finish, makeFilesSource, privateKeyPem, runWindows, sorted, tempDir, utcWindows } from './harness.js';
import { S3RVER_ENV, startS3rver, type S3Server } from './s3-server.js';
import { awsOnPath, runAws, type AwsCliResult } from '../cloudtrail/aws-cli-runner.js';

/**
 * The AWS CLI is a client no one here wrote. `aws cloudtrail validate-logs` checks the digest
 * chain the generator writes (key layout, string to sign, SHA256withRSA, previous-digest links,
 * log file hashes) with its own code, reading s3rver and the emulator's ListPublicKeys; `aws s3
 * sync` and `aws s3api head-object` make the local folder the source documents. Runs only where
 * `aws` is on PATH and honours AWS_ENDPOINT_URL_<SERVICE> (v1.29+ / v2.13+); skipped otherwise.
 */
/** validate-logs makes its own S3 client: only AWS_ENDPOINT_URL_S3 can point it at s3rver (CLI v1.29+, v2.13+; Debian 12 ships 2.9). */
function honoursServiceEndpoints(): boolean {
  if (!awsOnPath) return false;
  const v = spawnSync(awsOnPath, ['--version'], { encoding: 'utf8' });
  // Old v1 releases (Python 2) printed the version on stderr, later ones on stdout.
  const m = /aws-cli\/(\d+)\.(\d+)/.exec(`${v.stdout}${v.stderr}`);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major === 1 ? minor >= 29 : major === 2 ? minor >= 13 : major > 2;
}
const cliUsable = honoursServiceEndpoints();

const START = Date.UTC(2026, 10, 20, 8);
const END = START + 5 * HOUR;
const BUCKET = 'cli-trail-bucket';
const PREFIX = 'org/trail';
const ACCOUNT = '111122223333';
const TRAIL = 'management-trail';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

describe.skipIf(!cliUsable)('the AWS CLI and the CloudTrail log files', () => {
  const data = tempDir('cli-s3rver');
  const folder = tempDir('cli-folder');
  const synced = tempDir('cli-synced');
  let server: S3Server;
  let emu: CloudTrailEmulator;
  let truth: LogFolderTruth;
  let changedKey: string;
  let clean: AwsCliResult;
  let tampered: AwsCliResult;
  let sync: AwsCliResult;

  const aws = (args: string[]) =>
    runAws([...args, '--region', 'us-east-1'], { ...S3RVER_ENV, AWS_ENDPOINT_URL_S3: server.url, AWS_ENDPOINT_URL_CLOUDTRAIL: emu.url }, { timeoutMs: 90_000 });
  const validateLogs = () =>
    aws([
      'cloudtrail', 'validate-logs',
      '--trail-arn', `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${TRAIL}`,
      '--s3-bucket', BUCKET, '--s3-prefix', PREFIX, '--account-id', ACCOUNT,
      '--start-time', iso(START - HOUR), '--end-time', iso(END + 3 * HOUR),
    ]);

  beforeAll(async () => {
    const key = privateKeyPem();
    server = await startS3rver(data.dir);
    await server.createBucket(BUCKET);
    truth = writeCloudTrailLogFolder({
      dir: folder.dir,
      accounts: [ACCOUNT],
      regions: ['us-east-1'],
      period: { start: START, end: END },
      seed: 'aws-cli',
      eventsPerFile: 4,
      fileEveryMinutes: 30,
      digests: { privateKeyPem: key, trailName: TRAIL, until: END + 2 * HOUR },
      bucket: BUCKET,
      bucketPrefix: PREFIX,
    });
    await uploadLogFolder(folder.dir, { client: server.client, bucket: BUCKET, prefix: PREFIX });
    const pub = createPublicKey(key);
    emu = await startCloudTrailEmulator({
      days: 1,
      eventsPerDay: 1,
      credentials: [{ accessKeyId: S3RVER_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: S3RVER_ENV.AWS_SECRET_ACCESS_KEY, accountId: ACCOUNT }],
      publicKeys: [{ value: pub.export({ format: 'der', type: 'pkcs1' }), validityStart: START - DAY, validityEnd: Date.now() + DAY, fingerprint: publicKeyFingerprint(pub) }],
    });

    clean = await validateLogs();
    // What a user copies: the objects, and each digest's metadata from head-object beside it.
    sync = await aws(['s3', 'sync', `s3://${BUCKET}/${PREFIX}`, synced.dir, '--only-show-errors']);
    await Promise.all(
      truth.digests.map(async (d) => {
        const head = await aws(['s3api', 'head-object', '--bucket', BUCKET, '--key', `${PREFIX}/${d.key}`]);
        writeFileSync(join(synced.dir, ...d.key.split('/')) + '.metadata.json', head.stdout);
      }),
    );

    // Then one log file in the bucket changes by one field.
    changedKey = truth.files[3].key;
    const got = await server.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/${changedKey}` }));
    const text = gunzipSync(Buffer.from(await (got.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())))).toString();
    const changed = text.replace('"awsRegion":"us-east-1"', '"awsRegion":"us-east-2"');
    expect(changed).not.toBe(text);
    await server.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/${changedKey}`, Body: gzipSync(changed) }));
    tampered = await validateLogs();
  }, 180_000);
  afterAll(async () => {
    await emu?.close();
    await server?.close();
    for (const d of [data, folder, synced]) d.remove();
  });

  it('validate-logs finds every digest and log file the generator wrote valid', () => {
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    expect(truth.digests.length).toBeGreaterThanOrEqual(5);
    expect(clean.stdout).toContain(`${truth.digests.length}/${truth.digests.length} digest files valid`);
    expect(clean.stdout).toContain(`${truth.files.length}/${truth.files.length} log files valid`);
    expect(clean.stdout).not.toMatch(/INVALID/);
  });

  it('reads a folder as aws s3 sync leaves it, and validates it with the head-object metadata', async () => {
    expect(sync.code).toBe(0);
    const pull = makeFilesSource({ type: 'cloudtrail-files', location: synced.dir, lateDeliveryMinutes: 60, windowHours: 1 });
    const run = await runWindows(pull, utcWindows(pull, START, END));
    await pull.close?.();
    expect(run.windows.every((w) => w.status === 'complete')).toBe(true);
    expect(sorted(run.events.map((e) => e.id))).toEqual(sorted(truth.events.map((e) => e.id)));

    const check = makeFilesSource(
      { type: 'cloudtrail-files', location: synced.dir, lateDeliveryMinutes: 60, verifyDigests: true, cloudtrailEndpoint: emu.url },
      { ...S3RVER_ENV },
    );
    const l = await finish(check, { start: START, end: END }, END + DAY);
    await check.close?.();
    expect(l.problems).toEqual([]);
    expect(l.status).toBe('complete');
    expect(l.facts.logFilesValidated).toBe(truth.files.length);
    expect(l.facts.digestsValid).toBe(l.facts.digestFiles);
  });

  it('validate-logs and the source agree on a changed log file', async () => {
    expect(tampered.stdout).toContain(`${truth.digests.length}/${truth.digests.length} digest files valid`);
    expect(tampered.stdout).toContain(`1/${truth.files.length} log files INVALID`);
    expect(tampered.stderr).toContain(changedKey);

    const check = makeFilesSource(
      { type: 'cloudtrail-files', location: `s3://${BUCKET}/${PREFIX}`, endpoint: server.url, forcePathStyle: true, lateDeliveryMinutes: 60, verifyDigests: true, cloudtrailEndpoint: emu.url },
      { ...S3RVER_ENV },
    );
    const l = await finish(check, { start: START, end: END }, END + DAY);
    await check.close?.();
    expect(l.status).toBe('failed');
    expect(l.facts).toMatchObject({ badHashes: 1, badSignatures: 0, logFilesValidated: truth.files.length - 1 });
    expect(l.problems.map((p) => [p.item, p.code])).toEqual([[changedKey, 'INTEGRITY_FAILURE']]);
  });
});
