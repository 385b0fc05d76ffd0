import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoCloudtrailFilesSetup, DEMO_ACCOUNT } from '../../../src/emulators/cloudtrail-files/demo.js';
import { parsePeriod } from '../../../src/period/parse-period.js';
import { loadTemplate } from '../../../src/templates/load-template.js';
import { templatesDir } from '../../../src/package-info.js';
import { comparable, runBoth } from './differential.js';

const NOW = Date.parse('2026-11-03T00:00:00Z');

describe('cloudtrail-athena against cloudtrail-files on the same files', () => {
  it('the demo trail: every count, exception, sample and ledger total equal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-athena-demo-'));
    const setup = demoCloudtrailFilesSetup(dir, { now: NOW, days: 40 });
    const period = parsePeriod({ from: '2026-10-30', to: '2026-11-01', timeZone: 'America/New_York', now: NOW });
    const template = await loadTemplate('soc2-monthly', templatesDir());
    const { local, athena, sqlTexts } = await runBoth(
      { folder: setup.sourceConfig.location, accounts: [DEMO_ACCOUNT], regions: ['us-east-1'], lateDeliveryMinutes: 60, publicKeysFile: setup.sourceConfig.publicKeysFile },
      period,
      { rules: template.rules, directory: null, businessHours: { days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00', holidays: [] }, samples: template.samples },
    );
    expect(local.aggregate.totals.events).toBeGreaterThan(30);
    expect(local.exceptionSubjects.length).toBeGreaterThan(3);
    expect(local.samples.map((x) => x.rows.length).every((n) => n > 0)).toBe(true);
    expect(await comparable(athena)).toEqual(await comparable(local));
    expect(athena.coverage.complete).toBe(true);
    expect(athena.rulesNotEvaluated).toEqual([]);
    expect(local.aggregate.daily.map((d) => d.day)).toEqual(['2026-10-30', '2026-10-31', '2026-11-01']);
    // The emulator refused any text the Trino grammar does not parse (checkSql): these all ran.
    expect(sqlTexts.length).toBe(3 * athena.coverage.windows.length + 1);
  }, 240_000);
});
