import { AuditpackError } from '../errors.js';
import type { PeriodInfo } from '../model/report-model.js';
import type { TimeWindow } from '../model/window.js';
import type { WindowPolicy } from '../sources/source.js';
import { formatLocalIso, localDayStart } from './time-zone.js';

const DAY = 86_400_000;

/**
 * Splits a period into half-open windows no longer than the policy allows. Windows of whole days
 * are cut at local midnights (so a window is a calendar day in the report's zone, 23 or 25 hours
 * on DST days). A hard maximum wins: 30 local days across a DST change are 30 days + 1 hour, too
 * long for a 30-day API limit, so such a window is shortened by a day (or cut at the maximum).
 */
export function planWindows(period: Pick<PeriodInfo, 'start' | 'end' | 'timeZone'>, policy: WindowPolicy): TimeWindow[] {
  const max = policy.maxWindowMs;
  const days = policy.windowDays ?? (max !== null && max >= DAY ? Math.floor(max / DAY) : undefined);
  const cuts: number[] = [];
  if (days !== undefined && days >= 1) {
    cuts.push(period.start);
    let t = period.start;
    while (t < period.end) {
      let next = Math.min(localDayStart(period.timeZone, t, days), period.end);
      if (max !== null && next - t > max) {
        const shorter = days > 1 ? Math.min(localDayStart(period.timeZone, t, days - 1), period.end) : t;
        next = shorter > t && shorter - t <= max ? shorter : Math.min(t + max, period.end);
      }
      cuts.push(next);
      t = next;
    }
  } else if (max === null) {
    cuts.push(period.start, period.end);
  } else {
    for (let t = period.start; t < period.end; t = Math.min(t + max, period.end)) cuts.push(t);
    cuts.push(period.end);
  }
  const windows: TimeWindow[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) windows.push({ index: i, start: cuts[i], end: cuts[i + 1] });
  return windows;
}

/** Refuses, up front, a period that starts before what the source still retains. */
export function checkRetention(
  sourceName: string,
  period: Pick<PeriodInfo, 'start' | 'timeZone'>,
  policy: WindowPolicy,
  now: number,
): void {
  if (policy.retentionMs === null) return;
  const horizon = now - policy.retentionMs;
  if (period.start < horizon) {
    const days = Math.round(policy.retentionMs / DAY);
    throw new AuditpackError(
      'RETENTION_EXCEEDED',
      `source "${sourceName}" keeps only ${days} days: the period starts ${formatLocalIso(period.timeZone, period.start)}, ` +
        `before the oldest time it still has (${formatLocalIso(period.timeZone, horizon)})`,
      { hint: policy.retentionHint ?? 'choose a later period' },
    );
  }
}
