import { localDay, localDayStart } from '../period/time-zone.js';

/**
 * Maps instants to local calendar days of a period with a binary search over precomputed day
 * starts: per-event Intl formatting is far too slow for a million events.
 */
export interface DayIndex {
  days: readonly string[];
  /** Index of the local day holding t, or -1 outside the period. */
  indexOf(t: number): number;
  /** Epoch ms start of day i. */
  startOf(i: number): number;
}

export function createDayIndex(timeZone: string, start: number, end: number): DayIndex {
  const starts: number[] = [];
  const days: string[] = [];
  for (let t = localDayStart(timeZone, start); t < end; t = localDayStart(timeZone, t, 1)) {
    starts.push(t);
    days.push(localDay(timeZone, t));
  }
  return {
    days,
    startOf: (i) => starts[i],
    indexOf(t) {
      if (t < start || t >= end || starts.length === 0) return -1;
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= t) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    },
  };
}
