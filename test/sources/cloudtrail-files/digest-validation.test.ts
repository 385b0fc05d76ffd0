import { createPublicKey } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCloudTrailLogFolder, type LogFolderTruth } from '../../../src/emulators/cloudtrail-files/index.js';
import { json, startEmulator } from '../../../src/emulators/kit/server.js';
import type { SourceLedger } from '../../../src/model/coverage.js';
import { publicKeyFingerprint } from '../../../src/sources/cloudtrail-files/public-keys.js';
import { DAY, HOUR, finish, makeFilesSource, privateKeyPem, runWindows, tempDir, utcWindows } from './harness.js';

const START = Date.UTC(2026, 6, 1, 8);
const END = START + 4 * HOUR;
const NOW = END + 10 * DAY;
const KEY = privateKeyPem();
const dirs: { remove(): void }[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));

interface Scenario {
  dir: string;
  truth: LogFolderTruth;
  keysFile: string;
  path(key: string): string;
}

/** `trailStart`: when the trail (and its digest chain) began; before START, digests lie outside the range. */
function scenario(label: string, key = KEY, trailStart = START, movedFrom?: { bucket: string; until: number }): Scenario {
  const tmp = tempDir(`digest-${label}`);
  dirs.push(tmp);
  const trail = join(tmp.dir, 'trail');
  const truth = writeCloudTrailLogFolder({
    dir: trail,
    accounts: ['111122223333'],
    regions: ['us-east-1'],
    period: { start: trailStart, end: END },
    seed: `digest-${label}`,
    eventsPerFile: 4,
    fileEveryMinutes: 30,
    digests: { privateKeyPem: key, until: END, ...(movedFrom ? { movedFrom } : {}) },
    bucketPrefix: 'org-trail',
  });
  const keysFile = join(tmp.dir, 'keys.json');
  writeFileSync(keysFile, truth.publicKeysJson ?? '');
  return { dir: trail, truth, keysFile, path: (k) => join(trail, ...k.split('/')) };
}

async function validate(s: Scenario, extra: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<SourceLedger> {
  const source = makeFilesSource({ type: 'cloudtrail-files', location: s.dir, lateDeliveryMinutes: 30, verifyDigests: true, publicKeysFile: s.keysFile, ...extra }, env);
  try {
    return await finish(source, { start: START, end: END }, NOW);
  } finally {
    await source.close?.();
  }
}

const problemCodes = (l: SourceLedger) => [...new Set(l.problems.map((p) => p.code))].sort();

describe('digest validation', () => {
  it('validates a clean folder: every digest signed and chained, every file hashed, no gap', async () => {
    const s = scenario('clean');
    const l = await validate(s);
    expect(l.problems).toEqual([]);
    expect(l.status).toBe('complete');
    expect(l.title).toBe('CloudTrail digest validation');
    expect(l.facts).toMatchObject({
      badSignatures: 0,
      chainBreaks: 0,
      hoursWithNoDigest: 0,
      logFilesMissing: 0,
      badHashes: 0,
      filesInNoDigest: 0,
      logFilesValidated: s.truth.files.length,
    });
    expect(l.facts.digestFiles).toBeGreaterThanOrEqual(5);
    expect(l.facts.digestsValid).toBe(l.facts.digestFiles);
  });

  it('also validates after the windows were pulled (hashes taken while reading)', async () => {
    const s = scenario('pulled');
    const source = makeFilesSource({ type: 'cloudtrail-files', location: s.dir, lateDeliveryMinutes: 30, verifyDigests: true, publicKeysFile: s.keysFile });
    const run = await runWindows(source, utcWindows(source, START, END));
    expect(run.events).toHaveLength(s.truth.events.length);
    const l = await finish(source, { start: START, end: END }, NOW);
    expect(l.status).toBe('complete');
    expect(l.facts.logFilesValidated).toBe(s.truth.files.length);
  });

  it('catches a changed byte in a log file', async () => {
    const s = scenario('changed');
    const f = s.truth.files[3];
    const text = gunzipSync(readFileSync(s.path(f.key))).toString();
    const changed = text.replace('"awsRegion":"us-east-1"', '"awsRegion":"us-east-2"');
    expect(changed.length).toBe(text.length);
    expect(changed).not.toBe(text);
    writeFileSync(s.path(f.key), gzipSync(changed));
    const l = await validate(s);
    expect(l.status).toBe('failed');
    expect(l.facts).toMatchObject({ badHashes: 1, logFilesValidated: s.truth.files.length - 1, badSignatures: 0 });
    expect(l.problems).toHaveLength(1);
    expect(l.problems[0]).toMatchObject({ item: f.key, code: 'INTEGRITY_FAILURE' });
    expect(l.problems[0].message).toMatch(/^integrity failure: .*changed/);
  });

  it('catches a flipped byte in the compressed file', async () => {
    const s = scenario('flipped');
    const f = s.truth.files[2];
    const gz = readFileSync(s.path(f.key));
    gz[Math.floor(gz.length / 2)] ^= 0xff;
    writeFileSync(s.path(f.key), gz);
    const l = await validate(s);
    expect(l.facts).toMatchObject({ badHashes: 1 });
    expect(l.problems.map((p) => p.item)).toEqual([f.key]);
  });

  it('catches a deleted log file', async () => {
    const s = scenario('deleted');
    const f = s.truth.files[5];
    rmSync(s.path(f.key));
    const l = await validate(s);
    expect(l.status).toBe('failed');
    expect(l.facts).toMatchObject({ logFilesMissing: 1, badHashes: 0, hoursWithNoDigest: 0 });
    expect(l.problems).toEqual([expect.objectContaining({ item: f.key, code: 'INTEGRITY_FAILURE' })]);
    expect(l.problems[0].message).toMatch(/missing/);
  });

  it('catches a missing hour (a deleted digest) as a missing digest naming it, not as a logging gap', async () => {
    const s = scenario('hour');
    const d = s.truth.digests[3];
    rmSync(s.path(d.key));
    rmSync(s.path(d.key) + '.metadata.json');
    const l = await validate(s);
    expect(l.status).toBe('failed');
    expect(l.facts).toMatchObject({ hoursWithNoDigest: 1, digestsMissing: 1 });
    // The next digest's link proves a digest existed: the hours it covered are deleted evidence, not logging that was off.
    expect(problemCodes(l)).toEqual(['INTEGRITY_FAILURE']);
    const missing = l.problems.find((p) => p.item === d.key);
    expect(missing?.message).toMatch(/^integrity failure: digest .* is missing \(deleted\?\)/);
    expect(missing?.message).toContain(`from ${new Date(d.start).toISOString()} to ${new Date(d.end).toISOString()}`);
    // The files that digest listed are now in no digest.
    const orphans = s.truth.files.filter((f) => f.deliveredAt >= d.start && f.deliveredAt < d.end).length;
    expect(orphans).toBeGreaterThan(0);
    expect(l.facts.filesInNoDigest).toBe(orphans);
  });

  it('catches a missing hour at the end of the range and a chain that restarts', async () => {
    const s = scenario('restart');
    const last = s.truth.digests[s.truth.digests.length - 1];
    rmSync(s.path(last.key));
    // Make the third digest start a new chain, as after logging was switched off and on.
    const third = s.truth.digests[2];
    const digest = JSON.parse(gunzipSync(readFileSync(s.path(third.key))).toString()) as Record<string, unknown>;
    digest.previousDigestSignature = null;
    digest.previousDigestS3Object = null;
    writeFileSync(s.path(third.key), gzipSync(JSON.stringify(digest)));
    const l = await validate(s);
    expect(Number(l.facts.hoursWithNoDigest)).toBeGreaterThanOrEqual(1);
    expect(l.facts.chainRestarts).toBe(1);
    expect(l.facts.badSignatures).toBe(1); // it was re-written without its signature being made again
  });

  it('catches a file in no digest', async () => {
    const s = scenario('extra');
    const f = s.truth.files[1];
    const extra = f.key.replace(/_[A-Za-z0-9]{16}\.json\.gz$/, '_ZZZZZZZZZZZZZZZZ.json.gz');
    writeFileSync(s.path(extra), readFileSync(s.path(f.key)));
    const l = await validate(s);
    expect(l.facts).toMatchObject({ filesInNoDigest: 1, badHashes: 0 });
    expect(l.problems).toEqual([expect.objectContaining({ item: extra, code: 'INTEGRITY_FAILURE' })]);
  });

  it('catches a re-written digest (bad signature, and the next one no longer links to it)', async () => {
    const s = scenario('forged');
    const d = s.truth.digests[2];
    const digest = JSON.parse(gunzipSync(readFileSync(s.path(d.key))).toString()) as { logFiles: unknown[] };
    digest.logFiles = [];
    writeFileSync(s.path(d.key), gzipSync(JSON.stringify(digest)));
    const l = await validate(s);
    expect(l.facts).toMatchObject({ badSignatures: 1, chainBreaks: 1 });
    expect(l.problems.some((p) => p.item === d.key && /signature does not verify/.test(p.message))).toBe(true);
  });

  describe("the range's first digest and the digest it links to", () => {
    // The trail began three hours before the range: the digest ending at START-47m lies wholly
    // before it (outside the listed range), the one ending at START+13m covers the range's start.
    const EARLY = START - 3 * HOUR;
    const before = (s: Scenario) => s.truth.digests.filter((d) => d.end <= START).at(-1)!;
    const covering = (s: Scenario) => s.truth.digests.find((d) => d.start <= START && d.end > START)!;
    const remove = (s: Scenario, key: string) => {
      rmSync(s.path(key));
      rmSync(s.path(key) + '.metadata.json');
    };

    it('the trail\'s very first digest has no previous link: nothing to follow, and the range is complete', async () => {
      const s = scenario('first-of-trail');
      const first = JSON.parse(gunzipSync(readFileSync(s.path(s.truth.digests[0].key))).toString()) as Record<string, unknown>;
      expect(first).toMatchObject({ previousDigestS3Object: null, previousDigestSignature: null });
      const l = await validate(s);
      expect(l.status).toBe('complete');
      expect(l.facts).toMatchObject({ previousDigestsChecked: 0, chainRestarts: 0, digestsMissing: 0 });
    });

    it('follows the first digest\'s link to the digest before the range and finds it intact', async () => {
      const s = scenario('linked', KEY, EARLY);
      expect(before(s).end).toBeLessThanOrEqual(START);
      const l = await validate(s);
      expect(l.problems).toEqual([]);
      expect(l.facts).toMatchObject({ previousDigestsChecked: 1, digestsMissing: 0, chainBreaks: 0 });
    });

    it('a deleted digest just before the range (outside the listed range) is a missing digest naming it', async () => {
      const s = scenario('prev-deleted', KEY, EARLY);
      const gone = before(s);
      remove(s, gone.key);
      const l = await validate(s);
      expect(l.status).toBe('failed');
      expect(l.facts).toMatchObject({ digestsMissing: 1, hoursWithNoDigest: 0, previousDigestsChecked: 0 });
      expect(l.problems).toEqual([expect.objectContaining({ item: gone.key, code: 'INTEGRITY_FAILURE' })]);
      expect(l.problems[0].message).toBe(`integrity failure: digest ${gone.key}, named by ${covering(s).key}, is missing (deleted?)`);
    });

    it("a deleted digest covering the range's first hour is a missing digest naming it, not a logging gap", async () => {
      const s = scenario('first-deleted', KEY, EARLY);
      const gone = covering(s);
      remove(s, gone.key);
      const l = await validate(s);
      expect(l.status).toBe('failed');
      expect(problemCodes(l)).toEqual(['INTEGRITY_FAILURE']);
      expect(l.facts).toMatchObject({ digestsMissing: 1, hoursWithNoDigest: 1, chainRestarts: 0 });
      const missing = l.problems.find((p) => p.item === gone.key);
      expect(missing?.message).toMatch(new RegExp(`^integrity failure: digest ${gone.key}, named by .*, is missing \\(deleted\\?\\): no digest covers 111122223333/us-east-1 from ${new Date(START).toISOString()}`));
      // Its log files delivered inside the range are in no digest now, each named.
      const orphans = s.truth.files.filter((f) => f.deliveredAt >= START && f.deliveredAt < gone.end);
      expect(orphans.length).toBeGreaterThan(0);
      expect(l.facts.filesInNoDigest).toBe(orphans.length);
    });

    it('a digest before the range re-written after the first digest recorded it breaks the chain', async () => {
      const s = scenario('prev-changed', KEY, EARLY);
      const prev = before(s);
      const digest = JSON.parse(gunzipSync(readFileSync(s.path(prev.key))).toString()) as { logFiles: unknown[] };
      digest.logFiles = [];
      writeFileSync(s.path(prev.key), gzipSync(JSON.stringify(digest)));
      const l = await validate(s);
      expect(l.status).toBe('failed');
      expect(l.facts).toMatchObject({ previousDigestsChecked: 1, chainBreaks: 1 });
      expect(l.problems).toEqual([expect.objectContaining({ item: covering(s).key, code: 'INTEGRITY_FAILURE' })]);
      expect(l.problems[0].message).toContain(`${prev.key} changed after`);
    });

    it('a trail moved from another bucket: the link into that bucket is named as not checked, and the range still validates', async () => {
      const s = scenario('moved', KEY, EARLY, { bucket: 'org-trail-old-bucket', until: START });
      const first = covering(s);
      const digest = JSON.parse(gunzipSync(readFileSync(s.path(first.key))).toString()) as Record<string, string | null>;
      // The emulator wrote what CloudTrail does after a move: the first digest here names the last one in the old bucket.
      expect(digest).toMatchObject({ digestS3Bucket: s.truth.bucket, previousDigestS3Bucket: 'org-trail-old-bucket' });
      expect(s.truth.digests.every((d) => d.end > START)).toBe(true);
      const l = await validate(s);
      expect(l.problems).toEqual([]);
      expect(l.status).toBe('complete');
      expect(l.facts).toMatchObject({
        previousDigestNotChecked: `org-trail-old-bucket/${digest.previousDigestS3Object} (another bucket)`,
        previousDigestsChecked: 0,
        digestsMissing: 0,
        chainBreaks: 0,
        badSignatures: 0,
        hoursWithNoDigest: 0,
      });
      expect(l.facts.digestsValid).toBe(l.facts.digestFiles);
      // Not a blind spot: a changed file in the first hour here is still caught by that digest.
      const f = s.truth.files.find((x) => x.deliveredAt >= first.start && x.deliveredAt < first.end && x.deliveredAt >= START)!;
      writeFileSync(s.path(f.key), gzipSync(gunzipSync(readFileSync(s.path(f.key))).toString().replace('"awsRegion":"us-east-1"', '"awsRegion":"us-east-2"')));
      const tampered = await validate(s);
      expect(tampered.status).toBe('failed');
      expect(tampered.facts).toMatchObject({ badHashes: 1, previousDigestNotChecked: expect.stringContaining('org-trail-old-bucket/') });
      expect(tampered.problems.map((p) => p.item)).toEqual([f.key]);
    });

    it("a digest before the range whose signature is not the one the first digest names breaks the chain", async () => {
      const s = scenario('prev-resigned', KEY, EARLY);
      const prev = before(s);
      writeFileSync(s.path(prev.key) + '.metadata.json', JSON.stringify({ signature: 'ab'.repeat(128), 'signature-algorithm': 'SHA256withRSA' }));
      const l = await validate(s);
      expect(l.facts).toMatchObject({ previousDigestsChecked: 1, chainBreaks: 1 });
      expect(l.problems[0].message).toContain(`previous signature that is not ${prev.key}'s`);
    });
  });

  it('refuses signatures made with another key, and digests with no signature metadata', async () => {
    const s = scenario('otherkey', privateKeyPem());
    writeFileSync(s.keysFile, createPublicKey(KEY).export({ format: 'pem', type: 'spki' }));
    const l = await validate(s);
    expect(l.facts.badSignatures).toBe(l.facts.digestFiles);
    expect(l.facts.digestsValid).toBe(0);

    const bare = scenario('nosidecar');
    rmSync(bare.path(bare.truth.digests[1].key) + '.metadata.json');
    const l2 = await validate(bare);
    expect(l2.facts.badSignatures).toBe(1);
    expect(l2.problems[0].message).toMatch(/no signature in its metadata/);
  });

  it('gets the public keys from CloudTrail ListPublicKeys when no key file is given', async () => {
    const s = scenario('api');
    const pub = createPublicKey(KEY);
    const seen: string[] = [];
    // A real AWS JSON 1.1 endpoint: the SDK signs and sends ListPublicKeys over HTTP.
    const api = await startEmulator((req) => {
      seen.push(String(req.headers['x-amz-target']));
      return json(
        200,
        { PublicKeyList: [{ Value: pub.export({ format: 'der', type: 'pkcs1' }).toString('base64'), ValidityStartTime: (START - DAY) / 1000, ValidityEndTime: (NOW + DAY) / 1000, Fingerprint: publicKeyFingerprint(pub) }] },
        { 'content-type': 'application/x-amz-json-1.1' },
      );
    });
    try {
      const l = await validate(s, { publicKeysFile: undefined, cloudtrailEndpoint: api.url }, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret-key-0000' });
      expect(l.status).toBe('complete');
      expect(l.facts.publicKeys).toContain('ListPublicKeys');
      expect(seen).toEqual(['CloudTrail_20131101.ListPublicKeys']);
    } finally {
      await api.close();
    }
  });

  it('does not judge hours whose digests cannot have arrived yet', async () => {
    const s = scenario('recent');
    const source = makeFilesSource({ type: 'cloudtrail-files', location: s.dir, lateDeliveryMinutes: 30, verifyDigests: true, publicKeysFile: s.keysFile });
    const l = await finish(source, { start: START, end: END }, START + HOUR);
    expect(l.status).toBe('complete');
    expect(l.facts.note).toMatch(/too recent/);
  });
});
