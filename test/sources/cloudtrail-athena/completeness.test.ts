import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoCloudtrailFilesSetup, DEMO_ACCOUNT } from '../../../src/emulators/cloudtrail-files/demo.js';
import { incompleteReasons } from '../../../src/pipeline/build-model.js';
import { parsePeriod } from '../../../src/period/parse-period.js';
import { runAthena, type TrailUnderTest } from './differential.js';

const NOW = Date.parse('2026-11-03T00:00:00Z');
const period = parsePeriod({ from: '2026-10-27', to: '2026-10-29', timeZone: 'UTC', now: NOW });
const noRules = { rules: [], directory: null, businessHours: null };

/** The demo trail (signed digests) in its own folder, so a test can delete a file. */
function trail(): TrailUnderTest {
  const setup = demoCloudtrailFilesSetup(mkdtempSync(join(tmpdir(), 'ap-athena-complete-')), { now: NOW, days: 12 });
  return { folder: setup.sourceConfig.location, accounts: [DEMO_ACCOUNT], regions: ['us-east-1'], lateDeliveryMinutes: 60, publicKeysFile: setup.sourceConfig.publicKeysFile };
}

const dayFolder = (t: TrailUnderTest, day: string) => join(t.folder, 'AWSLogs', DEMO_ACCOUNT, 'CloudTrail', 'us-east-1', day);

describe('cloudtrail-athena completeness: digests vs the files Athena read', () => {
  let ok: Awaited<ReturnType<typeof runAthena>>['result'];
  beforeAll(async () => {
    ok = (await runAthena(trail(), period, noRules)).result;
  });

  it('a full read is COMPLETE, every digest-listed file of the range read', () => {
    expect(incompleteReasons(ok.coverage)).toEqual([]);
    const vs = ok.coverage.sources.find((s) => s.title === 'Files read by Athena vs digests');
    expect(vs?.facts).toMatchObject({ listedNotRead: 0, readNotListed: 0 });
    expect(Number(vs?.facts.filesListedInDigests)).toBeGreaterThan(20);
    expect(vs?.facts.filesReadByAthena).toBe(vs?.facts.filesListedInDigests);
    // hashLogFiles is off by default: the ledger says the files' hashes were not checked.
    const digests = ok.coverage.sources.find((s) => s.title === 'CloudTrail digest validation');
    expect(digests?.facts).toMatchObject({ logFilesValidated: 0, logFileHashes: expect.stringMatching(/^not checked \(hashLogFiles is off\)/) });
  });

  it('a delivery-date partition the table does not project: INCOMPLETE, naming the files not read', async () => {
    const t = trail();
    const missing = readdirSync(dayFolder(t, '2026/10/27')).filter((f) => f.endsWith('.json.gz')).sort();
    // A table whose date projection starts a day late: Athena returns no rows for 2026/10/27, and no error.
    const { result: r } = await runAthena(t, period, noRules, { projectionStart: '2026/10/28' });
    expect(r.coverage.complete).toBe(false);
    const vs = r.coverage.sources.find((s) => s.title === 'Files read by Athena vs digests')!;
    expect(vs.status).toBe('failed');
    expect(vs.facts.listedNotRead).toBe(missing.length);
    expect(vs.problems.map((p) => p.item.split('/').pop()).sort()).toEqual(missing);
    expect(vs.problems[0].message).toMatch(/was not read by Athena/);
    expect(incompleteReasons(r.coverage).join('\n')).toMatch(/Files read by Athena vs digests failed: AWSLogs\/.*2026\/10\/27/);
  });

  it('a digest-listed log file deleted from the bucket: INCOMPLETE, naming it', async () => {
    const t = trail();
    const victim = readdirSync(dayFolder(t, '2026/10/27')).filter((f) => f.endsWith('.json.gz')).sort()[3];
    rmSync(join(dayFolder(t, '2026/10/27'), victim));
    const { result: r } = await runAthena(t, period, noRules);
    expect(r.coverage.complete).toBe(false);
    const vs = r.coverage.sources.find((s) => s.title === 'Files read by Athena vs digests')!;
    expect(vs.problems).toEqual([expect.objectContaining({ item: `AWSLogs/${DEMO_ACCOUNT}/CloudTrail/us-east-1/2026/10/27/${victim}`, code: 'INCOMPLETE' })]);
  });
});
