import { describe, expect, it } from 'vitest';
import { checkRetention, planWindows } from '../../src/period/plan-windows.js';
import { parsePeriod } from '../../src/period/parse-period.js';
import { AuditpackError } from '../../src/errors.js';
import type { WindowPolicy } from '../../src/sources/source.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const policy = (maxWindowMs: number | null, retentionMs: number | null = null): WindowPolicy => ({
  maxWindowMs, retentionMs, endInclusive: false, pageSize: 100, concurrency: 1,
});
const now = Date.parse('2026-11-22T03:00:00Z');

function assertContiguous(ws: { start: number; end: number }[], start: number, end: number) {
  expect(ws[0].start).toBe(start);
  expect(ws[ws.length - 1].end).toBe(end);
  for (let i = 1; i < ws.length; i++) expect(ws[i].start).toBe(ws[i - 1].end);
}

describe('planWindows', () => {
  it('cuts a DST month into local days, one of them 25 hours', () => {
    const p = parsePeriod({ period: '2026-11', timeZone: 'America/New_York', now: Date.parse('2026-12-10T00:00:00Z') });
    const ws = planWindows(p, { ...policy(null), windowDays: 1 });
    expect(ws).toHaveLength(30);
    assertContiguous(ws, p.start, p.end);
    const lengths = ws.map((w) => (w.end - w.start) / HOUR);
    expect(lengths.filter((h) => h === 25)).toHaveLength(1);
    expect(lengths.filter((h) => h === 24)).toHaveLength(29);
    expect(ws.map((w) => w.index)).toEqual([...Array(30).keys()]);
  });

  it('never exceeds the maximum, even across DST', () => {
    const p = parsePeriod({ from: '2026-10-01', to: '2026-12-31', timeZone: 'America/New_York', now: Date.parse('2027-02-01T00:00:00Z') });
    const max = 30 * DAY;
    const ws = planWindows(p, policy(max));
    assertContiguous(ws, p.start, p.end);
    for (const w of ws) expect(w.end - w.start).toBeLessThanOrEqual(max);
    expect(ws.length).toBe(4);
  });

  it('cuts a 25-hour day under a hard 24-hour limit', () => {
    const p = parsePeriod({ period: '2026-11-01', timeZone: 'America/New_York', now });
    const ws = planWindows(p, policy(DAY));
    expect(ws.map((w) => (w.end - w.start) / HOUR)).toEqual([24, 1]);
  });

  it('cuts sub-day windows and leaves unlimited ones whole', () => {
    const p = parsePeriod({ period: '2026-10-15', timeZone: 'UTC', now });
    expect(planWindows(p, policy(6 * HOUR))).toHaveLength(4);
    expect(planWindows(p, policy(null))).toHaveLength(1);
  });

  it('refuses a period older than the retention with the dates', () => {
    const p = parsePeriod({ period: '2026-07', timeZone: 'UTC', now });
    let line = '';
    try {
      checkRetention('amplitude', p, { ...policy(DAY, 90 * DAY), retentionHint: 'use another source' }, now);
    } catch (e) {
      line = (e as AuditpackError).oneLine;
      expect((e as AuditpackError).code).toBe('RETENTION_EXCEEDED');
    }
    expect(line).toMatch(/keeps only 90 days: the period starts 2026-07-01T00:00:00Z.*2026-08-24T03:00:00Z.*use another source/);
    expect(() => checkRetention('amplitude', parsePeriod({ period: '2026-10', timeZone: 'UTC', now }), policy(DAY, 90 * DAY), now)).not.toThrow();
  });
});
