import { describe, expect, it } from 'vitest';
import { deliveryLedgers, withDeliveryCheck } from '../../src/pipeline/delivery-check.js';
import { incompleteReasons } from '../../src/pipeline/build-model.js';
import type { WindowPolicy } from '../../src/sources/source.js';

const END = Date.parse('2026-11-01T04:00:00Z');
const policy = (deliveryDelayMs?: number): WindowPolicy => ({ maxWindowMs: null, retentionMs: null, endInclusive: false, pageSize: 0, concurrency: 1, ...(deliveryDelayMs !== undefined ? { deliveryDelayMs } : {}) });
const sources = [
  { name: 'smapi', type: 'smapi' as const, policy: policy() },
  { name: 'trail', type: 'cloudtrail-files' as const, policy: policy(30 * 60_000) },
];

describe('not before its time', () => {
  it('a pack dated before the period ends is INCOMPLETE for every source, saying so', () => {
    const ledgers = deliveryLedgers(sources, END, END - 60_000);
    expect(ledgers.map((l) => l.source)).toEqual(['smapi', 'trail']);
    const coverage = withDeliveryCheck({ complete: true, windows: [], sources: [], idCollisions: [] }, ledgers);
    expect(coverage.complete).toBe(false);
    expect(incompleteReasons(coverage)[0]).toMatch(/^smapi delivery check failed: .*dated 2026-11-01T03:59:00.000Z, before the period ends \(2026-11-01T04:00:00.000Z\)/);
  });

  it('within a source\'s delivery delay only that source is not final; after it, nothing is added', () => {
    const ledgers = deliveryLedgers(sources, END, END + 10 * 60_000);
    expect(ledgers).toHaveLength(1);
    expect(ledgers[0]).toMatchObject({ source: 'trail', status: 'failed', facts: { deliveryDelayMinutes: 30, dataFinalAt: '2026-11-01T04:30:00.000Z' } });
    expect(ledgers[0].problems[0].message).toMatch(/within the source's delivery delay of 30 min.*run again after then/);
    expect(deliveryLedgers(sources, END, END + 30 * 60_000)).toEqual([]);
    const untouched = { complete: true, windows: [], sources: [], idCollisions: [] };
    expect(withDeliveryCheck(untouched, [])).toBe(untouched);
  });
});
