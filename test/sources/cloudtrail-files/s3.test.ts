import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadLogFolder, writeCloudTrailLogFolder, type LogFolderTruth } from '../../../src/emulators/cloudtrail-files/index.js';
import { DAY, HOUR, finish, makeFilesSource, privateKeyPem, runWindows, sorted, tempDir, utcWindows, type PeriodRun } from './harness.js';
import { S3RVER_ENV, startS3rver, type S3Server } from './s3-server.js';

const START = Date.UTC(2026, 8, 14, 20);
const END = START + 5 * HOUR;
const BUCKET = 'audit-trail-bucket';
const PREFIX = 'trails/acme';

describe('cloudtrail-files source over S3 (s3rver, AWS SDK, path style)', () => {
  const data = tempDir('s3rver');
  const folder = tempDir('s3-folder');
  let server: S3Server;
  let truth: LogFolderTruth;
  let keysFile: string;

  beforeAll(async () => {
    server = await startS3rver(data.dir);
    await server.createBucket(BUCKET);
    truth = writeCloudTrailLogFolder({
      dir: folder.dir,
      accounts: ['111122223333', '444455556666'],
      regions: ['us-east-1', 'us-west-2'],
      period: { start: START, end: END },
      seed: 's3',
      eventsPerFile: 4,
      fileEveryMinutes: 30,
      duplicates: 3,
      // Delivered up to 50 minutes late, then in the next 30-minute file: the source's margin is 90.
      lateDeliveryMinutes: 50,
      lateEvery: 6,
      digests: { privateKeyPem: privateKeyPem(), until: END + 2 * HOUR },
      bucket: BUCKET,
      bucketPrefix: PREFIX,
    });
    keysFile = join(data.dir, 'keys.json');
    writeFileSync(keysFile, truth.publicKeysJson ?? '');
    const uploaded = await uploadLogFolder(folder.dir, { client: server.client, bucket: BUCKET, prefix: PREFIX });
    expect(uploaded).toBe(truth.files.length + truth.digests.length + 4 /* Insights files */);
  });
  afterAll(async () => {
    await server?.close();
    data.remove();
    folder.remove();
  });

  const pull = async (extra: Record<string, unknown>): Promise<PeriodRun> => {
    const source = makeFilesSource(
      { type: 'cloudtrail-files', location: `s3://${BUCKET}/${PREFIX}/`, endpoint: server.url, forcePathStyle: true, lateDeliveryMinutes: 90, windowHours: 1, ...extra },
      { ...S3RVER_ENV },
    );
    try {
      return await runWindows(source, utcWindows(source, START, END));
    } finally {
      await source.close?.();
    }
  };

  it('pulls exactly the ground truth, window by window, through paginated listings', async () => {
    const small = await pull({ listPageSize: 2 });
    const large = await pull({});
    for (const run of [small, large]) {
      expect(run.windows).toHaveLength(5);
      for (const w of run.windows) {
        expect(w.status).toBe('complete');
        expect(w.problems).toEqual([]);
        const expected = truth.events.filter((e) => e.time >= Date.parse(w.window.start) && e.time < Date.parse(w.window.end));
        expect(sorted(run.idsByWindow.get(w.window.index) ?? [])).toEqual(sorted(expected.map((e) => e.id)));
        expect(w.pages).toBe(w.extra.filesArchived);
      }
      expect(run.windows.reduce((n, w) => n + Number(w.extra.bytesRead ?? 0), 0)).toBeGreaterThan(0);
      expect(sorted(run.events.map((e) => e.id))).toEqual(sorted(truth.events.map((e) => e.id)));
      expect(run.events.filter((e) => e.outcome === 'failure')).toHaveLength(truth.events.filter((e) => e.outcome === 'failure').length);
    }
    // SDK attempts are counted (one GetObject per file, each file once); two keys per ListObjectsV2 page means more listing requests.
    const attempts = (r: PeriodRun) => r.windows.reduce((s, w) => s + w.attempts, 0);
    const reads = (r: PeriodRun) => r.windows.reduce((s, w) => s + Number(w.extra.filesArchived), 0);
    expect(reads(small)).toBe(reads(large));
    expect(attempts(large)).toBeGreaterThan(reads(large));
    expect(attempts(small) - reads(small)).toBeGreaterThan(attempts(large) - reads(large));
  });

  it('validates the digest chain with signatures read from x-amz-meta-signature', async () => {
    const source = makeFilesSource(
      { type: 'cloudtrail-files', location: `s3://${BUCKET}/${PREFIX}`, endpoint: server.url, forcePathStyle: true, lateDeliveryMinutes: 90, verifyDigests: true, publicKeysFile: keysFile, listPageSize: 3 },
      { ...S3RVER_ENV },
    );
    const l = await finish(source, { start: START, end: END }, END + DAY);
    await source.close?.();
    expect(l.problems).toEqual([]);
    expect(l.status).toBe('complete');
    expect(l.facts.logFilesValidated).toBe(truth.files.length);
    expect(l.facts.digestsValid).toBe(l.facts.digestFiles);
    expect(l.facts.accountRegions).toBe(4);
  });

  it("follows the period's first digest to the one before it over S3, and names it when it was deleted", async () => {
    // A trail that began three hours before the period, under its own prefix.
    const early = tempDir('s3-early');
    const prefix = 'trails/early';
    try {
      const t = writeCloudTrailLogFolder({
        dir: early.dir,
        accounts: ['111122223333'],
        regions: ['us-east-1'],
        period: { start: START - 3 * HOUR, end: END },
        seed: 's3-early',
        eventsPerFile: 2,
        fileEveryMinutes: 60,
        digests: { privateKeyPem: privateKeyPem(), until: END + 2 * HOUR },
        bucket: BUCKET,
        bucketPrefix: prefix,
        insights: false,
      });
      const keys = join(early.dir, 'keys.json');
      writeFileSync(keys, t.publicKeysJson ?? '');
      await uploadLogFolder(early.dir, { client: server.client, bucket: BUCKET, prefix });
      const validate = async () => {
        const source = makeFilesSource(
          { type: 'cloudtrail-files', location: `s3://${BUCKET}/${prefix}`, endpoint: server.url, forcePathStyle: true, lateDeliveryMinutes: 90, verifyDigests: true, publicKeysFile: keys },
          { ...S3RVER_ENV },
        );
        try {
          return await finish(source, { start: START, end: END }, END + DAY);
        } finally {
          await source.close?.();
        }
      };
      const clean = await validate();
      expect(clean.problems).toEqual([]);
      expect(clean.facts.previousDigestsChecked).toBe(1);

      // Delete the digest that covers the period's first hour: its successor's link names it.
      const covering = t.digests.find((d) => d.start <= START && d.end > START)!;
      await server.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${covering.key}` }));
      const l = await validate();
      expect(l.status).toBe('failed');
      expect([...new Set(l.problems.map((p) => p.code))]).toEqual(['INTEGRITY_FAILURE']);
      expect(l.facts).toMatchObject({ digestsMissing: 1 });
      expect(l.problems.find((p) => p.item === covering.key)?.message).toMatch(/is missing \(deleted\?\): no digest covers/);
    } finally {
      early.remove();
    }
  });

  it('stops with a clear error for refused credentials and for a missing bucket', async () => {
    const refused = makeFilesSource({ type: 'cloudtrail-files', location: `s3://${BUCKET}`, endpoint: server.url, forcePathStyle: true }, {
      AWS_ACCESS_KEY_ID: 'WRONGKEY',
      AWS_SECRET_ACCESS_KEY: 'wrong-secret-value',
    });
    await expect(runWindows(refused, utcWindows(refused, START, END))).rejects.toMatchObject({ code: 'AUTH_REFUSED' });
    const missing = makeFilesSource({ type: 'cloudtrail-files', location: 's3://no-such-bucket', endpoint: server.url, forcePathStyle: true }, { ...S3RVER_ENV });
    await expect(runWindows(missing, utcWindows(missing, START, END))).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });
});
