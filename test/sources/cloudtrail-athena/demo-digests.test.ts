import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { demoAthenaSetup } from '../../../src/demo/athena-demo.js';
import { demoCloudtrailFilesSetup, DEMO_ACCOUNT } from '../../../src/emulators/cloudtrail-files/demo.js';
import type { AthenaEmulator } from '../../../src/emulators/athena/index.js';
import type { CoverageLedger } from '../../../src/model/coverage.js';
import { JSON_FILES, readJson, runPack } from '../../e2e/harness.js';

/**
 * `auditpack demo --engine athena` as the demo sets it up (src/demo/athena-demo.ts): the demo's
 * signed trail served as a bucket by the Athena emulator, the table created, and a
 * cloudtrail-athena source whose config names only the bucket and the emulator's endpoint. Its
 * digests and log files are fetched over the emulator's S3 API and verified; a deleted log file, a
 * log file no digest lists, one changed in place and a re-written digest each reach the pack.
 */
const NOW = Date.parse('2026-11-03T00:00:00Z');
// The AWS SDK signs every request; the emulator reads the credential scope only.
const ENV = { AWS_ACCESS_KEY_ID: 'AKIADEMOATHENA000001', AWS_SECRET_ACCESS_KEY: 'demo-athena-secret-not-real', AWS_REGION: 'us-east-1' };
const DAY_FOLDER = ['AWSLogs', DEMO_ACCOUNT, 'CloudTrail', 'us-east-1', '2026', '11', '01'];
const DIGEST_FOLDER = ['AWSLogs', DEMO_ACCOUNT, 'CloudTrail-Digest', 'us-east-1', '2026', '11', '01'];

const dirs: string[] = [];
const emulators: AthenaEmulator[] = [];
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A demo trail and its own Athena emulator. */
async function demo(label: string) {
  const dir = mkdtempSync(join(tmpdir(), `ap-athena-demo-${label}-`));
  dirs.push(dir);
  // Three days of the demo trail around the period (the demo writes the period plus two days either side).
  const files = demoCloudtrailFilesSetup(join(dir, 'cloudtrail-logs'), { now: NOW, days: 3 });
  const athena = await demoAthenaSetup(files, ENV);
  emulators.push(athena.emulator);
  // The source reaches the bucket only through the emulator's S3 endpoint: no local path in its config.
  expect(athena.sourceConfig).toMatchObject({ verifyDigests: true, trailLocation: 's3://auditpack-demo-trail', s3Endpoint: athena.emulator.url });
  const configFile = join(dir, 'auditpack.json');
  writeFileSync(configFile, JSON.stringify({ organization: 'Athena demo digests', timezone: 'UTC', sources: [athena.sourceConfig] }));
  const trail = files.sourceConfig.location;
  return {
    logFiles: () => readdirSync(join(trail, ...DAY_FOLDER)).filter((f) => f.endsWith('.json.gz')).sort(),
    digestFiles: () => readdirSync(join(trail, ...DIGEST_FOLDER)).filter((f) => f.endsWith('.json.gz')).sort(),
    logPath: (f: string) => join(trail, ...DAY_FOLDER, f),
    digestPath: (f: string) => join(trail, ...DIGEST_FOLDER, f),
    async pack(name = 'pack') {
      const out = join(dir, name);
      const result = await runPack({ configFile, env: ENV, from: '2026-11-01', to: '2026-11-01', tz: 'UTC', out, files: JSON_FILES });
      const coverage = await readJson<CoverageLedger>(join(out, 'coverage.json'));
      const section = (title: string) => {
        const found = coverage.sources.find((x) => x.title === title);
        if (!found) throw new Error(`no "${title}" section in coverage.json`);
        return found;
      };
      return { result, digests: section('CloudTrail digest validation'), vs: section('Files read by Athena vs digests') };
    },
  };
}

describe('the Athena demo verifies the trail’s digests', () => {
  it('a clean trail: every digest of the range verified over S3, every file it lists read by Athena, COMPLETE', async () => {
    const { result, digests, vs } = await (await demo('clean')).pack();
    expect(result.manifest.status).toBe('COMPLETE');
    expect(digests.status).toBe('complete');
    expect(digests.problems).toEqual([]);
    // A day and the late-delivery margin: 24 hourly digests or more, each signature verified and chained.
    expect(Number(digests.facts.digestFiles)).toBeGreaterThanOrEqual(24);
    expect(digests.facts).toMatchObject({ digestsValid: digests.facts.digestFiles, badSignatures: 0, chainBreaks: 0, hoursWithNoDigest: 0, digestsMissing: 0, badHashes: 0 });
    // The demo hashes the log files too (hashLogFiles), fetched over S3.
    expect(Number(digests.facts.logFilesValidated)).toBeGreaterThanOrEqual(12);
    expect(digests.facts.logFileHashes).toBeUndefined();
    expect(vs.status).toBe('complete');
    expect(Number(vs.facts.filesListedInDigests)).toBeGreaterThanOrEqual(12);
    expect(vs.facts).toMatchObject({ filesReadByAthena: vs.facts.filesListedInDigests, listedNotRead: 0, readNotListed: 0 });
  });

  it('a tampered trail: a deleted log file, a planted one, one changed in place and a re-written digest are each named, and the pack is INCOMPLETE', async () => {
    const d = await demo('tampered');
    const files = d.logFiles();
    const deleted = files[2];
    rmSync(d.logPath(deleted));
    // A log file planted under a CloudTrail name (a copy of a real one, with its own name): no digest lists it.
    const planted = files[5].replace(/_[A-Za-z0-9]+\.json\.gz$/, '_PLANTED0000000000.json.gz');
    writeFileSync(d.logPath(planted), readFileSync(d.logPath(files[5])));
    // A log file changed in place: same key, one character of a record changed.
    const changed = files[7];
    const text = gunzipSync(readFileSync(d.logPath(changed))).toString();
    const edited = text.replace(/"sourceIPAddress":"[^"]*"/, (m) => m.replace(/[0-9]/, (c) => String((Number(c) + 1) % 10)));
    expect(edited).not.toBe(text);
    writeFileSync(d.logPath(changed), gzipSync(edited));
    // A digest re-written (a listed hash changed) without CloudTrail's key to sign it again.
    const rewritten = d.digestFiles()[10];
    const path = d.digestPath(rewritten);
    const digest = JSON.parse(gunzipSync(readFileSync(path)).toString()) as { logFiles: { hashValue: string }[] };
    expect(digest.logFiles.length).toBeGreaterThan(0);
    digest.logFiles[0].hashValue = '0'.repeat(64);
    writeFileSync(path, gzipSync(JSON.stringify(digest)));

    const { result, digests, vs } = await d.pack();
    expect(result.manifest.status).toBe('INCOMPLETE');
    expect(digests.status).toBe('failed');
    expect(digests.facts).toMatchObject({ badSignatures: 1, chainBreaks: 1 });
    const rewrittenKey = [...DIGEST_FOLDER, rewritten].join('/');
    expect(digests.problems.some((p) => p.item === rewrittenKey && /signature does not verify/.test(p.message))).toBe(true);
    // Two hashes differ: the file changed in place, and the one whose hash the re-written digest zeroed.
    expect(digests.facts).toMatchObject({ badHashes: 2, logFilesMissing: 1 });
    expect(digests.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ item: [...DAY_FOLDER, changed].join('/'), code: 'INTEGRITY_FAILURE', message: expect.stringMatching(/changed since digest .* recorded it/) }),
        expect.objectContaining({ item: [...DAY_FOLDER, deleted].join('/'), code: 'INTEGRITY_FAILURE' }),
      ]),
    );
    expect(vs.status).toBe('failed');
    expect(vs.facts).toMatchObject({ listedNotRead: 1, readNotListed: 1 });
    expect(vs.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ item: [...DAY_FOLDER, deleted].join('/'), code: 'INCOMPLETE' }),
        expect.objectContaining({ item: [...DAY_FOLDER, planted].join('/'), code: 'INTEGRITY_FAILURE' }),
      ]),
    );
    expect(result.manifest.incompleteReasons.join('\n')).toMatch(/digest validation/i);
  });

  it('a second run of the same period queries again: a file deleted and one planted since the first run are seen', async () => {
    const d = await demo('rerun');
    const first = await d.pack('first');
    expect(first.result.manifest.status).toBe('COMPLETE');
    const files = d.logFiles();
    rmSync(d.logPath(files[3]));
    writeFileSync(d.logPath(files[6].replace(/_[A-Za-z0-9]+\.json\.gz$/, '_PLANTED0000000001.json.gz')), readFileSync(d.logPath(files[6])));
    // Athena returns a repeated ClientRequestToken's earlier execution: a token reused by this new
    // run would give the first run's results, and neither change would be seen.
    const second = await d.pack('second');
    expect(second.result.manifest.status).toBe('INCOMPLETE');
    expect(second.vs.facts).toMatchObject({ listedNotRead: 1, readNotListed: 1 });
    expect(Number(second.vs.facts.filesReadByAthena)).toBe(Number(first.vs.facts.filesReadByAthena));
  });
});
