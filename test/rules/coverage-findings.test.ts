import { describe, expect, it } from 'vitest';
import type { CoverageLedger } from '../../src/model/coverage.js';
import { createRuleEngine } from '../../src/rules/engine.js';
import { builtinRules, ct, ev, windowRow } from './fixtures.js';

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 9, 1, 4); // October 2026 in New York starts 04:00 UTC

function ledger(): CoverageLedger {
  return {
    complete: false,
    idCollisions: [],
    windows: [
      windowRow({ source: 'smapi', start: T0, end: T0 + DAY, index: 0 }),
      windowRow({
        source: 'smapi',
        start: T0 + DAY,
        end: T0 + 2 * DAY,
        index: 1,
        status: 'failed',
        error: { code: 'HTTP_STATUS', message: 'HTTP 503 after 5 attempts' },
      }),
      windowRow({
        source: 'trail',
        sourceType: 'cloudtrail-files',
        start: T0,
        end: T0 + 4 * DAY,
        problems: [{ item: 's3://b/AWSLogs/1/CloudTrail/us-east-1/2026/10/01/x.json.gz', code: 'DATA_INVALID', message: 'not gzip' }],
      }),
    ],
    sources: [
      {
        source: 'trail',
        sourceType: 'cloudtrail-files',
        title: 'CloudTrail digest validation',
        status: 'failed',
        facts: { digests: 95 },
        problems: [{ item: 'digest 2026-10-02T05', code: 'DIGEST_GAP', message: 'no digest for this hour: the chain is broken' }],
      },
      { source: 'lookup', sourceType: 'cloudtrail', title: 'Digest validation', status: 'failed', facts: {}, problems: [] },
      { source: 'ok', sourceType: 'cloudtrail', title: 'Digest validation', status: 'complete', facts: {}, problems: [] },
    ],
  };
}

describe('coverage and integrity findings', () => {
  it('turns failed windows, window problems and broken integrity into exception rows', async () => {
    const rules = (await builtinRules()).filter((r) => r.type === 'coverage');
    const rows = createRuleEngine(rules, { timeZone: 'UTC', directory: null, businessHours: null }).finish(ledger());
    expect(rows.map((r) => [r.ruleId, r.severity, r.control, r.source, r.subject, r.responseCode])).toEqual([
      ['logging-gap', 'high', 'CC7.2', 'smapi', 'smapi', 'HTTP_STATUS'],
      ['collection-problem', 'medium', 'CC7.2', 'trail', 'trail | DATA_INVALID', 'DATA_INVALID'],
      ['log-integrity-failure', 'critical', 'CC7.3', 'trail', 'trail', 'DIGEST_GAP'],
      ['log-integrity-failure', 'critical', 'CC7.3', 'lookup', 'lookup', 'failed'],
    ]);
    expect(rows[0].reason).toContain('HTTP 503 after 5 attempts');
    expect(rows[0].time).toBe(T0 + DAY);
    expect(rows[0].eventId).toBeNull();
    expect(rows[1].resource).toContain('x.json.gz');
    expect(rows[2].reason).toContain('the chain is broken');
    expect(rows[2].time).toBe(T0);
  });

  it('reports a day without CloudTrail events inside completed windows, not inside failed ones', async () => {
    const rules = (await builtinRules()).filter((r) => r.type === 'quiet-period');
    const engine = createRuleEngine(rules, { timeZone: 'America/New_York', directory: null, businessHours: null });
    const cov = ledger();
    // Events every hour of the 4-day trail window except 30 hours from T0+24h.
    for (let h = 0; h < 96; h++) {
      if (h >= 24 && h < 54) continue;
      engine.onEvent(ct({ source: 'trail', sourceType: 'cloudtrail-files', time: T0 + h * H + 60_000 }));
    }
    // An SMAPI source is allowed to be quiet: the rule names CloudTrail only.
    engine.onEvent(ev({ time: T0 }));
    const rows = engine.finish(cov);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ruleId: 'cloudtrail-quiet-period', source: 'trail', subject: 'trail', time: T0 + DAY });
    expect(rows[0].reason).toContain('no events for 30 hours, 2026-10-02 00:00 Fri to 2026-10-03 06:00 Sat');

    // The same silence in a window that failed is the failed window's story, not a quiet period.
    const failed: CoverageLedger = { ...cov, windows: cov.windows.map((w) => (w.source === 'trail' ? { ...w, status: 'failed' as const } : w)) };
    const again = createRuleEngine(rules, { timeZone: 'UTC', directory: null, businessHours: null });
    expect(again.finish(failed)).toEqual([]);
  });

  it('reports a CloudTrail source with no events at all', async () => {
    const rules = (await builtinRules()).filter((r) => r.type === 'quiet-period');
    const rows = createRuleEngine(rules, { timeZone: 'UTC', directory: null, businessHours: null }).finish(ledger());
    expect(rows.map((r) => [r.subject, r.reason.match(/\d+ hours/)?.[0]])).toEqual([['trail', '96 hours']]);
  });
});
