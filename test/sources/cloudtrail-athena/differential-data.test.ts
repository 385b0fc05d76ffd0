import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeCloudTrailLogFolder } from '../../../src/emulators/cloudtrail-files/write-log-folder.js';
import { parsePeriod } from '../../../src/period/parse-period.js';
import { loadTemplate } from '../../../src/templates/load-template.js';
import { templatesDir } from '../../../src/package-info.js';
import { missingFixtureLine } from '../../support/shared-fixtures.js';
import { REAL_2_DIR } from '../cloudtrail-files/real-records.js';
import { comparable, runBoth, type RulesUnderTest } from './differential.js';

const NOW = Date.parse('2026-12-05T00:00:00Z');
const DAY = 86_400_000;
/** Events of the synthetic trail: AUDITPACK_ATHENA_DIFF_EVENTS=100000 runs the 100k (about 8 minutes on 2 busy cores). */
const EVENTS = Number(process.env.AUDITPACK_ATHENA_DIFF_EVENTS ?? 4000);

async function soc2Rules(): Promise<RulesUnderTest> {
  const template = await loadTemplate('soc2-monthly', templatesDir());
  return { rules: template.rules, directory: null, businessHours: { days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00', holidays: [] }, samples: template.samples };
}

/** A log file of `records` delivered at `at`, in the trail layout, beside the generated ones. */
function addLogFile(dir: string, account: string, region: string, at: number, records: Record<string, unknown>[]): void {
  const iso = new Date(at).toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  const key = `AWSLogs/${account}/CloudTrail/${region}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${account}_CloudTrail_${region}_${stamp}_0reusedids0.json.gz`;
  mkdirSync(dirname(join(dir, key)), { recursive: true });
  writeFileSync(join(dir, key), gzipSync(JSON.stringify({ Records: records })));
}

function recordsOf(dir: string, account: string, region: string, day: string): Record<string, unknown>[] {
  const folder = join(dir, `AWSLogs/${account}/CloudTrail/${region}/${day}`);
  return readdirSync(folder)
    .sort()
    .flatMap((f) => (JSON.parse(gunzipSync(readFileSync(join(folder, f))).toString('utf8')) as { Records: Record<string, unknown>[] }).Records);
}

describe('cloudtrail-athena against cloudtrail-files: synthetic trails, a DST month, the real files', () => {
  it(`November 2026 in America/New_York (DST ends on the 1st): ${EVENTS} synthetic events with late deliveries, duplicates across windows, reused ids and records outside the period`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-athena-synth-'));
    const period = parsePeriod({ from: '2026-11-01', to: '2026-11-30', timeZone: 'America/New_York', now: NOW });
    const accounts = ['111122223333', '444455556666'];
    const regions = ['us-east-1', 'eu-west-1'];
    // A day either side of the period (records outside it), a file every three hours per account and
    // region. Both paths' time goes with the number of files (each is listed, fetched and parsed):
    // hourly files made ~2,900 of them at one event each; three-hourly ones carry the same events in
    // ~1,000, and late deliveries still cross the weekly windows' edges.
    const span = { start: period.start - DAY, end: period.end + DAY };
    const FILE_MINUTES = 180;
    const slots = (span.end - span.start) / (FILE_MINUTES * 60_000);
    const truth = writeCloudTrailLogFolder({
      dir, accounts, regions, period: span, seed: 'athena-diff', eventsPerFile: Math.max(1, Math.round(EVENTS / slots / 4)), fileEveryMinutes: FILE_MINUTES,
      duplicates: 60, lateDeliveryMinutes: 150, lateEvery: 23, insights: false,
    });
    // Ids reused by other content: one copy in another window (a week later, failed), one in the same hour (another source IP).
    const base = recordsOf(dir, accounts[0], regions[0], '2026/11/10');
    const reused = base.slice(0, 3).map((r, i) =>
      i === 0 ? { ...r, eventTime: '2026-11-17T15:00:00Z', errorCode: 'AccessDenied', errorMessage: 'reused id' } : { ...r, sourceIPAddress: `198.51.100.${i}` },
    );
    addLogFile(dir, accounts[0], regions[0], Date.parse('2026-11-17T15:20:00Z'), reused);

    // Weekly windows (cut at local midnight, so the first is 169 hours long): five windows keep the suite's time modest.
    const { local, athena } = await runBoth({ folder: dir, accounts, regions, lateDeliveryMinutes: 60 }, period, await soc2Rules(), { windowHours: 24 * 7 });
    const l = await comparable(local);
    expect(l.ledger.duplicates).toBeGreaterThan(20);
    expect(l.ledger.outsidePeriod).toBeGreaterThan(0);
    expect(l.ledger.idCollisions).toBe(3);
    expect(l.idCollisions.map((c) => c.records)).toEqual([2, 2, 2]);
    expect(local.aggregate.totals.events).toBeGreaterThan(truth.events.length * 0.9);
    expect(local.samples.every((s) => s.rows.length > 0)).toBe(true);
    expect(await comparable(athena)).toEqual(l);
    expect(athena.coverage.complete).toBe(true);
    expect(athena.coverage.windows).toHaveLength(5);
    // Records outside the period are counted by the window their file was delivered in, never read again.
    expect(athena.coverage.windows.every((w) => w.rereads === 0)).toBe(true);
    expect(local.aggregate.daily.map((d) => d.day)[0]).toBe('2026-11-01');
  }, 900_000);

  it.skipIf(!REAL_2_DIR)('the shared real files (cloudtrail-real-2): the attack day, and ids reused a month apart', async () => {
    const root = REAL_2_DIR as string;
    const accounts = readdirSync(join(root, 'AWSLogs')).sort();
    // The anonymised set's made-up region folders (eu-westwest-1r) are not region names a config accepts: the real ones are read.
    const regions = [...new Set(accounts.flatMap((a) => readdirSync(join(root, 'AWSLogs', a, 'CloudTrail'))))].filter((r) => /^[a-z]{2}(-[a-z]+)+-\d+$/.test(r)).sort();
    const rules = await soc2Rules();
    for (const [from, to, minEvents] of [
      ['2023-07-09', '2023-07-12', 2800],
      ['2017-11-18', '2017-12-12', 4],
    ] as const) {
      const period = parsePeriod({ from, to, timeZone: 'UTC', now: NOW });
      // The table projects delivery dates from 2015: the 2017 files are read (a later start would silently skip them).
      const { local, athena } = await runBoth({ folder: root, accounts, regions, lateDeliveryMinutes: 60 }, period, rules, { projectionStart: '2015/01/01' });
      expect(local.aggregate.totals.events).toBeGreaterThanOrEqual(minEvents);
      expect(await comparable(athena)).toEqual(await comparable(local));
      expect(athena.coverage.complete).toBe(true);
      if (from.startsWith('2017')) expect(athena.coverage.idCollisions.map((c) => c.records)).toEqual([2, 2]);
    }
  }, 900_000);
  if (!REAL_2_DIR) it.skip(missingFixtureLine('cloudtrail-real-2'), () => {});
});
