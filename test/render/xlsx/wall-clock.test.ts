import { describe, expect, it } from 'vitest';
import { createIsoText, createLocalTime } from '../../../src/render/xlsx/wall-clock.js';

/** The local wall clock as a Date whose UTC fields hold it, for reading it back. */
function createWallClock(zone: string): (t: number) => Date {
  const local = createLocalTime(zone);
  return (t) => new Date(local(t));
}

/** The wall clock Intl shows for an instant, as "YYYY-MM-DD HH:MM:SS". */
function intlWallClock(zone: string): (t: number) => string {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return (t) => {
    const p = Object.fromEntries(fmt.formatToParts(t).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  };
}

const shown = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

describe('createLocalTime', () => {
  it('shows New York wall-clock time in the UTC fields, across both DST changes of 2026', () => {
    const clock = createWallClock('America/New_York');
    expect(shown(clock(Date.UTC(2026, 9, 1, 4)))).toBe('2026-10-01 00:00:00');
    // 2026-03-08 02:00 EST → 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT → 01:00 EST (06:00Z).
    expect(shown(clock(Date.UTC(2026, 2, 8, 6, 59, 59)))).toBe('2026-03-08 01:59:59');
    expect(shown(clock(Date.UTC(2026, 2, 8, 7)))).toBe('2026-03-08 03:00:00');
    expect(shown(clock(Date.UTC(2026, 10, 1, 5, 59, 59)))).toBe('2026-11-01 01:59:59');
    expect(shown(clock(Date.UTC(2026, 10, 1, 6)))).toBe('2026-11-01 01:00:00');
  });

  it('keeps milliseconds', () => {
    const clock = createWallClock('America/New_York');
    expect(clock(Date.UTC(2026, 10, 1, 3, 59, 59, 999)).toISOString()).toBe('2026-10-31T23:59:59.999Z');
  });

  it.each(['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC'])(
    'agrees with Intl every ~7 minutes over the DST weeks of %s',
    (zone) => {
      const clock = createWallClock(zone);
      const expected = intlWallClock(zone);
      const wrong: string[] = [];
      for (const [y, m] of [[2026, 2], [2026, 3], [2026, 9], [2026, 10]] as const) {
        const from = Date.UTC(y, m, 1);
        for (let t = from; t < from + 10 * 86_400_000; t += 7 * 60_000 + 13_000) {
          if (shown(clock(t)) !== expected(t)) wrong.push(`${new Date(t).toISOString()}: ${shown(clock(t))} ≠ ${expected(t)}`);
        }
      }
      expect(wrong).toEqual([]);
    },
  );
});

describe('ISO text without a Date per value', () => {
  it('is toISOString for any ms (before 1970, at day and second edges, far years), and the wall clock with a space and no Z', () => {
    const iso = createIsoText('T', 'Z');
    const local = createIsoText(' ', '');
    const wall = createWallClock('America/New_York');
    const localTime = createLocalTime('America/New_York');
    const times = [0, -1, 1, 86_399_999, 86_400_000, -86_400_001, Date.UTC(2026, 10, 1, 5, 59, 59, 999), Date.UTC(2026, 2, 8, 7, 0, 0, 0), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(1899, 11, 30)];
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      times.push(Date.UTC(2026, 0, 1) + (x % (400 * 86_400_000)) - 200 * 86_400_000 + (i % 7));
    }
    for (const t of times) {
      expect(iso(t)).toBe(new Date(t).toISOString());
      expect(local(localTime(t))).toBe(wall(t).toISOString().slice(0, 23).replace('T', ' '));
    }
  });
});
