import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCloudTrailLogFolder } from '../../../src/emulators/cloudtrail-files/index.js';
import type { CoverageLedger } from '../../../src/model/coverage.js';
import { readJson, runPack } from '../../e2e/harness.js';
import { HOUR, privateKeyPem, tempDir } from './harness.js';

const DAY_START = Date.UTC(2026, 6, 1);

interface Summary {
  complete: boolean;
  exceptionCounts: { byRule: Record<string, number> };
}

/**
 * The whole run (`auditpack run` minus argument parsing) over a trail whose files were tampered
 * with: digest failures must reach the pack as INCOMPLETE and as exceptions, not only the ledger.
 */
describe('digest validation in an evidence pack', () => {
  const tmp = tempDir('digest-pack');
  afterAll(() => tmp.remove());

  /** `trailStart`: when the trail began (default: the period's start); `movedFrom`: the bucket it delivered to before. */
  const trail = (label: string, opts: { trailStart?: number; movedFrom?: { bucket: string; until: number } } = {}) => {
    const dir = join(tmp.dir, label, 'trail');
    const truth = writeCloudTrailLogFolder({
      dir,
      accounts: ['111122223333'],
      regions: ['us-east-1'],
      period: { start: opts.trailStart ?? DAY_START, end: DAY_START + 24 * HOUR },
      seed: `pack-${label}`,
      eventsPerFile: 2,
      fileEveryMinutes: 60,
      digests: { privateKeyPem: privateKeyPem(), until: DAY_START + 26 * HOUR, ...(opts.movedFrom ? { movedFrom: opts.movedFrom } : {}) },
    });
    const keys = join(tmp.dir, label, 'keys.json');
    writeFileSync(keys, truth.publicKeysJson ?? '');
    const configFile = join(tmp.dir, label, 'auditpack.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        organization: 'Digest test',
        timezone: 'UTC',
        sources: [{ type: 'cloudtrail-files', location: 'trail', verifyDigests: true, publicKeysFile: 'keys.json', lateDeliveryMinutes: 120 }],
      }),
    );
    const pack = async () => {
      const out = join(tmp.dir, label, 'pack');
      const result = await runPack({ configFile, env: {}, period: '2026-07-01', tz: 'UTC', out });
      return { result, summary: await readJson<Summary>(join(out, 'summary.json')), coverage: await readJson<CoverageLedger>(join(out, 'coverage.json')) };
    };
    return { dir, truth, pack, path: (key: string) => join(dir, ...key.split('/')) };
  };

  it('is COMPLETE with no integrity exception when the chain holds', async () => {
    const t = trail('clean');
    const { result, summary, coverage } = await t.pack();
    expect(result.manifest.status).toBe('COMPLETE');
    expect(summary.complete).toBe(true);
    expect(summary.exceptionCounts.byRule['log-integrity-failure'] ?? 0).toBe(0);
    const ledger = coverage.sources.find((s) => s.title === 'CloudTrail digest validation');
    expect(ledger?.status).toBe('complete');
    expect(ledger?.facts.logFilesValidated).toBe(t.truth.files.length);
  });

  it('states that the link into the bucket the trail was moved from was not followed, and is still COMPLETE', async () => {
    const t = trail('moved', { trailStart: DAY_START - 3 * HOUR, movedFrom: { bucket: 'old-audit-bucket', until: DAY_START } });
    const { result, summary, coverage } = await t.pack();
    expect(result.manifest.status).toBe('COMPLETE');
    expect(summary.complete).toBe(true);
    const ledger = coverage.sources.find((s) => s.title === 'CloudTrail digest validation');
    expect(ledger?.status).toBe('complete');
    expect(ledger?.problems).toEqual([]);
    expect(ledger?.facts).toMatchObject({ previousDigestsChecked: 0, digestsMissing: 0, chainBreaks: 0, hoursWithNoDigest: 0 });
    expect(ledger?.facts.previousDigestNotChecked).toMatch(/^old-audit-bucket\/AWSLogs\/111122223333\/CloudTrail-Digest\/us-east-1\/2026\/06\/30\/111122223333_CloudTrail-Digest_us-east-1_management-trail_us-east-1_20260630T231307Z\.json\.gz \(another bucket\)$/);
  });

  it('is INCOMPLETE with an exception for each changed byte, deleted file and deleted digest', async () => {
    const t = trail('tampered');
    const [changed, deleted] = [t.truth.files[4], t.truth.files[9]];
    const text = gunzipSync(readFileSync(t.path(changed.key))).toString();
    writeFileSync(t.path(changed.key), gzipSync(text.replace('"awsRegion":"us-east-1"', '"awsRegion":"us-east-2"')));
    rmSync(t.path(deleted.key));
    const hour = t.truth.digests[15];
    rmSync(t.path(hour.key));
    rmSync(t.path(hour.key) + '.metadata.json');

    const { result, summary, coverage } = await t.pack();
    expect(result.manifest.status).toBe('INCOMPLETE');
    expect(summary.complete).toBe(false);
    const ledger = coverage.sources.find((s) => s.title === 'CloudTrail digest validation');
    expect(ledger?.status).toBe('failed');
    expect(ledger?.facts).toMatchObject({ badHashes: 1, logFilesMissing: 1, hoursWithNoDigest: 1 });
    const messages = ledger?.problems.map((p) => p.message) ?? [];
    expect(messages.some((m) => m.startsWith('integrity failure') && m.includes(changed.key))).toBe(true);
    expect(messages.some((m) => m.startsWith('integrity failure') && m.includes(deleted.key))).toBe(true);
    // The deleted digest is named, with the hours it covered: deleted evidence, not a logging gap.
    expect(messages.some((m) => m.startsWith('integrity failure') && m.includes(hour.key) && m.includes(new Date(hour.start).toISOString()))).toBe(true);
    expect(messages.some((m) => m.startsWith('logging gap'))).toBe(false);
    // Each problem is one exception of the integrity rule.
    expect(summary.exceptionCounts.byRule['log-integrity-failure']).toBe(ledger?.problems.length);
    expect(result.manifest.incompleteReasons.join('\n')).toMatch(/digest validation/i);
  });
});
