import { describe, expect, it } from 'vitest';
import { parsePeriod } from '../../src/period/parse-period.js';
import { AuditpackError } from '../../src/errors.js';

const now = Date.parse('2026-11-22T03:00:00Z');
const NY = 'America/New_York';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof AuditpackError ? e.code : 'not-typed';
  }
  return undefined;
}

describe('parsePeriod', () => {
  it('computes October 2026 in New York with DST-correct bounds', () => {
    const p = parsePeriod({ period: '2026-10', timeZone: NY, now });
    expect(p.startUtc).toBe('2026-10-01T04:00:00.000Z');
    expect(p.endUtc).toBe('2026-11-01T04:00:00.000Z');
    expect(p.startLocal).toBe('2026-10-01T00:00:00-04:00');
  });

  it('knows that November 2026 in New York is 721 hours long', () => {
    const p = parsePeriod({ period: '2026-11', timeZone: NY, now: Date.parse('2026-12-05T00:00:00Z') });
    expect((p.end - p.start) / 3_600_000).toBe(721);
    expect(p.endUtc).toBe('2026-12-01T05:00:00.000Z');
  });

  it('defaults to last month relative to the local date', () => {
    const p = parsePeriod({ timeZone: 'UTC', now });
    expect(p.label).toBe('2026-10');
    // 2026-11-01T02:00Z is still October 31 in New York
    const q = parsePeriod({ period: 'last-month', timeZone: NY, now: Date.parse('2026-11-01T02:00:00Z') });
    expect(q.label).toBe('2026-09');
  });

  it('parses quarters, ISO weeks and days', () => {
    const q = parsePeriod({ period: '2026-Q3', timeZone: 'UTC', now });
    expect([q.startUtc, q.endUtc]).toEqual(['2026-07-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z']);
    const w = parsePeriod({ period: '2026-W43', timeZone: 'UTC', now });
    expect([w.startUtc, w.endUtc]).toEqual(['2026-10-19T00:00:00.000Z', '2026-10-26T00:00:00.000Z']);
    const w1 = parsePeriod({ period: '2026-W01', timeZone: 'UTC', now });
    expect(w1.startUtc).toBe('2025-12-29T00:00:00.000Z');
    const d = parsePeriod({ period: '2026-10-15', timeZone: 'Asia/Tokyo', now });
    expect([d.startUtc, d.endUtc]).toEqual(['2026-10-14T15:00:00.000Z', '2026-10-15T15:00:00.000Z']);
  });

  it('treats a bare --to date as inclusive of that day and a date-time as exclusive', () => {
    const p = parsePeriod({ from: '2026-10-01', to: '2026-10-15', timeZone: NY, now });
    expect(p.endUtc).toBe('2026-10-16T04:00:00.000Z');
    const q = parsePeriod({ from: '2026-10-01T00:00Z', to: '2026-10-02T12:00Z', timeZone: NY, now });
    expect([q.startUtc, q.endUtc]).toEqual(['2026-10-01T00:00:00.000Z', '2026-10-02T12:00:00.000Z']);
  });

  it('finds the DST day 25 hours long', () => {
    const d = parsePeriod({ period: '2026-11-01', timeZone: NY, now });
    expect((d.end - d.start) / 3_600_000).toBe(25);
  });

  it('prints a zone typed in the wrong case in its proper spelling, and keeps aliases as typed', () => {
    expect(parsePeriod({ period: '2026-10', timeZone: 'america/new_york', now }).timeZone).toBe(NY);
    expect(parsePeriod({ period: '2026-10', timeZone: 'utc', now }).timeZone).toBe('UTC');
    expect(parsePeriod({ period: '2026-10', timeZone: 'US/Eastern', now }).timeZone).toBe('US/Eastern');
  });

  it('says what is wrong with a period, once', () => {
    const line = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as AuditpackError).oneLine;
      }
      return '';
    };
    const unknown = line(() => parsePeriod({ period: 'October', timeZone: 'UTC', now }));
    expect(unknown).toMatch(/^unknown period format "October" — use YYYY-MM, /);
    expect(unknown.match(/YYYY-MM,/g)).toHaveLength(1);
    expect(line(() => parsePeriod({ period: '2026-13', timeZone: 'UTC', now }))).toMatch(/^invalid period "2026-13": month 13 does not exist — periods are YYYY-MM/);
  });

  it('rejects bad input with typed errors', () => {
    expect(codeOf(() => parsePeriod({ period: 'October', timeZone: 'UTC', now }))).toBe('PERIOD_INVALID');
    expect(codeOf(() => parsePeriod({ period: '2026-13', timeZone: 'UTC', now }))).toBe('PERIOD_INVALID');
    expect(codeOf(() => parsePeriod({ period: '2026-W54', timeZone: 'UTC', now }))).toBe('PERIOD_INVALID');
    expect(codeOf(() => parsePeriod({ period: '2026-02-30', timeZone: 'UTC', now }))).toBe('PERIOD_INVALID');
    expect(codeOf(() => parsePeriod({ period: '2026-10', timeZone: 'Mars/Olympus', now }))).toBe('TIMEZONE_INVALID');
    expect(codeOf(() => parsePeriod({ period: '2026-11', timeZone: 'UTC', now }))).toBe('PERIOD_INVALID');
    expect(codeOf(() => parsePeriod({ from: '2026-10-05', to: '2026-10-01', timeZone: 'UTC', now }))).toBe('PERIOD_INVALID');
    expect(codeOf(() => parsePeriod({ from: '2026-10-05', timeZone: 'UTC', now }))).toBe('USAGE');
  });
});
