import { describe, expect, it } from 'vitest';
import { businessHoursSchema, createBusinessHoursCheck, isOutsideBusinessHours, type BusinessHours } from '../../src/rules/business-hours.js';
import { createRuleEngine } from '../../src/rules/engine.js';
import { createLocalStamper, localStamp } from '../../src/rules/exception-row.js';
import { builtinRules, ev } from './fixtures.js';

const NY = 'America/New_York';
const weekdays: BusinessHours = businessHoursSchema.parse({ start: '08:00', end: '18:00', holidays: ['2026-11-26'] });
const everyDay: BusinessHours = businessHoursSchema.parse({ days: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '18:00' });

/** Both implementations must agree everywhere; the memoized one is what the engine uses. */
function outside(hours: BusinessHours, iso: string, zone = NY): boolean {
  const t = Date.parse(iso);
  const exact = isOutsideBusinessHours(hours, zone, t);
  expect(createBusinessHoursCheck(hours, zone)(t)).toBe(exact);
  return exact;
}

describe('business hours', () => {
  it('defaults to Monday–Friday with no holidays', () => {
    expect(weekdays.days).toEqual([1, 2, 3, 4, 5]);
    expect(everyDay.holidays).toEqual([]);
  });

  it('judges 12:30 UTC by the New York wall clock on both sides of the November 2026 change', () => {
    // Friday 30 Oct: EDT (UTC−4) → 08:30 local, inside. Monday 2 Nov: EST (UTC−5) → 07:30, outside.
    expect(outside(weekdays, '2026-10-30T12:30:00Z')).toBe(false);
    expect(outside(weekdays, '2026-11-02T12:30:00Z')).toBe(true);
    expect(outside(weekdays, '2026-11-02T13:00:00Z')).toBe(false);
    // 18:00 is the (exclusive) end: 22:59 UTC on 30 Oct is 18:59 EDT, 22:59 UTC on 2 Nov is 17:59 EST.
    expect(outside(weekdays, '2026-10-30T22:59:00Z')).toBe(true);
    expect(outside(weekdays, '2026-11-02T22:59:00Z')).toBe(false);
  });

  it('uses the right offset on the day of the change itself (2026-11-01, clocks back at 02:00)', () => {
    // 12:30 UTC on 1 Nov is 07:30 EST; a fixed −4 offset would say 08:30 and call it inside.
    expect(outside(everyDay, '2026-11-01T12:30:00Z')).toBe(true);
    expect(outside(everyDay, '2026-11-01T13:00:00Z')).toBe(false);
    // Both 01:30s of the repeated hour are night time.
    expect(outside(everyDay, '2026-11-01T05:30:00Z')).toBe(true);
    expect(outside(everyDay, '2026-11-01T06:30:00Z')).toBe(true);
  });

  it('uses the right offset around the March 2026 change (2026-03-08, clocks forward at 02:00)', () => {
    // Sunday 8 Mar after the change: EDT. 12:00 UTC = 08:00 EDT (inside); 11:59 UTC = 07:59 EDT.
    expect(outside(everyDay, '2026-03-08T12:00:00Z')).toBe(false);
    expect(outside(everyDay, '2026-03-08T11:59:00Z')).toBe(true);
    // Friday 6 Mar, still EST: 12:30 UTC = 07:30 local (outside); Monday 9 Mar, EDT: 08:30 (inside).
    expect(outside(weekdays, '2026-03-06T12:30:00Z')).toBe(true);
    expect(outside(weekdays, '2026-03-09T12:30:00Z')).toBe(false);
    // 22:30 UTC: 17:30 EST on Friday (inside), 18:30 EDT on Monday (outside).
    expect(outside(weekdays, '2026-03-06T22:30:00Z')).toBe(false);
    expect(outside(weekdays, '2026-03-09T22:30:00Z')).toBe(true);
  });

  it('treats weekends and holidays (local dates) as outside all day', () => {
    expect(outside(weekdays, '2026-10-31T15:00:00Z')).toBe(true); // Saturday 11:00
    expect(outside(weekdays, '2026-11-26T15:00:00Z')).toBe(true); // Thanksgiving 10:00
    expect(outside(weekdays, '2026-11-27T15:00:00Z')).toBe(false);
    // 03:00 UTC on 27 Nov is still 26 Nov (22:00) in New York: holiday by the local date.
    const lateHoliday = businessHoursSchema.parse({ days: [1, 2, 3, 4, 5], start: '00:00', end: '24:00', holidays: ['2026-11-26'] });
    expect(outside(lateHoliday, '2026-11-27T03:00:00Z')).toBe(true);
    expect(outside(lateHoliday, '2026-11-27T05:00:00Z')).toBe(false);
  });

  it('works in zones with half- and quarter-hour offsets', () => {
    const h = businessHoursSchema.parse({ start: '09:00', end: '17:00' });
    // Kathmandu is UTC+05:45: 03:14 UTC = 08:59, 03:15 UTC = 09:00 (Wednesday 14 Oct 2026).
    expect(outside(h, '2026-10-14T03:14:00Z', 'Asia/Kathmandu')).toBe(true);
    expect(outside(h, '2026-10-14T03:15:00Z', 'Asia/Kathmandu')).toBe(false);
    expect(outside(h, '2026-10-14T11:29:59Z', 'Asia/Kolkata')).toBe(false);
    expect(outside(h, '2026-10-14T11:30:00Z', 'Asia/Kolkata')).toBe(true);
  });

  it('the memoized check and local stamp agree with the exact ones minute by minute across DST changes', () => {
    // Lord Howe Island moves its clocks by 30 minutes; Kathmandu is UTC+05:45.
    const changes: Record<string, string[]> = {
      'America/New_York': ['2026-03-08', '2026-11-01'],
      'Europe/Berlin': ['2026-03-29', '2026-10-25'],
      'Australia/Lord_Howe': ['2026-04-05', '2026-10-04'],
      'Asia/Kathmandu': ['2026-10-14'],
    };
    for (const [zone, days] of Object.entries(changes)) {
      const fast = createBusinessHoursCheck(everyDay, zone);
      const stamp = createLocalStamper(zone);
      for (const day of days) {
        const from = Date.parse(`${day}T00:00:00Z`) - 12 * 3_600_000;
        for (let t = from; t < from + 48 * 3_600_000; t += 7 * 60_000 + 13_000) {
          expect(fast(t), `${zone} ${new Date(t).toISOString()}`).toBe(isOutsideBusinessHours(everyDay, zone, t));
          expect(stamp(t), `${zone} ${new Date(t).toISOString()}`).toBe(localStamp(zone, t));
        }
      }
    }
  });

  it('rejects bad configurations', () => {
    expect(businessHoursSchema.safeParse({ start: '8:00', end: '18:00' }).success).toBe(false);
    expect(businessHoursSchema.safeParse({ start: '18:00', end: '08:00' }).success).toBe(false);
    expect(businessHoursSchema.safeParse({ days: [0], start: '08:00', end: '18:00' }).success).toBe(false);
    expect(businessHoursSchema.safeParse({ start: '08:00', end: '18:00', holidays: ['2026-02-30'] }).success).toBe(false);
    expect(businessHoursSchema.safeParse({ start: '08:00', end: '18:00', lunch: '12:00' }).success).toBe(false);
  });

  it('the built-in rule flags after-hours calls with the local time, and stays off without configuration', async () => {
    const rules = await builtinRules();
    const engine = createRuleEngine(rules, { timeZone: NY, directory: null, businessHours: weekdays });
    const late = ev({ time: Date.parse('2026-11-02T12:30:00Z') });
    // One row per requester (built-in templates set onePerSubject), with the count and the local span.
    expect(engine.evaluate(late).matchedRuleIds).toContain('outside-business-hours');
    expect(engine.onEvent(ev({ time: Date.parse('2026-11-02T11:00:00Z') })).map((r) => r.ruleId)).not.toContain('outside-business-hours');
    expect(engine.evaluate(ev({ time: Date.parse('2026-11-02T13:30:00Z') })).matchedRuleIds).not.toContain('outside-business-hours');
    const rows = engine.finish({ complete: true, windows: [], sources: [], idCollisions: [] }).filter((r) => r.ruleId === 'outside-business-hours');
    expect(rows).toHaveLength(1);
    expect(rows[0].reason).toContain('2 events from 2026-11-02 06:00 Mon to 2026-11-02 07:30 Mon');
    expect(rows[0].subject).toBe('amzn1.account.ALICE');
    // AWS services acting on their own are not people working late.
    const service = ev({ time: late.time, requester: { id: 'lambda.amazonaws.com', type: 'AWSService' } });
    expect(engine.onEvent(service).map((r) => r.ruleId)).not.toContain('outside-business-hours');

    const off = createRuleEngine(rules, { timeZone: NY, directory: null, businessHours: null });
    expect(off.onEvent(late).map((r) => r.ruleId)).not.toContain('outside-business-hours');
    expect(off.inactive).toContainEqual({ ruleId: 'outside-business-hours', reason: 'no business hours are configured' });
  });
});
