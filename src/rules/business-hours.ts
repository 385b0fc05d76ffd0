import { z } from 'zod';
import { localDay, localParts } from '../period/time-zone.js';

/** Working hours in the report's time zone; everything else is "outside business hours". */
export interface BusinessHours {
  /** ISO weekdays: 1 = Monday … 7 = Sunday. */
  days: number[];
  /** Local "HH:MM", inclusive. */
  start: string;
  /** Local "HH:MM", exclusive; "24:00" for the end of the day. */
  end: string;
  /** Local dates (YYYY-MM-DD) that are not working days. */
  holidays: string[];
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export function minutesOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

export const businessHoursSchema: z.ZodType<BusinessHours> = z
  .object({
    days: z
      .array(z.number().int().min(1, { error: 'an ISO weekday 1 (Monday) … 7 (Sunday)' }).max(7, { error: 'an ISO weekday 1 (Monday) … 7 (Sunday)' }))
      .min(1)
      .refine((d) => new Set(d).size === d.length, { error: 'each weekday once' })
      .default([1, 2, 3, 4, 5]),
    start: z.string().regex(HHMM, { error: 'a local time "HH:MM" such as "08:00"' }),
    end: z.string().regex(HHMM, { error: 'a local time "HH:MM" such as "18:00" (or "24:00")' }),
    holidays: z.array(z.string().refine(isRealDate, { error: 'a date YYYY-MM-DD' })).default([]),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (HHMM.test(v.start) && HHMM.test(v.end) && minutesOfDay(v.end) <= minutesOfDay(v.start)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `a time after start (${v.start})` });
    }
  });

/**
 * Whether instant `t` falls outside the working hours, judged on the local wall clock of `timeZone`
 * (so DST changes move the UTC boundaries, as they do for the people working).
 */
export function isOutsideBusinessHours(hours: BusinessHours, timeZone: string, t: number): boolean {
  const p = localParts(timeZone, t);
  const isoDow = p.dow === 0 ? 7 : p.dow;
  if (!hours.days.includes(isoDow)) return true;
  if (hours.holidays.length > 0 && hours.holidays.includes(localDay(timeZone, t))) return true;
  const minute = p.h * 60 + p.min;
  return minute < minutesOfDay(hours.start) || minute >= minutesOfDay(hours.end);
}

const QUARTER_HOUR = 15 * 60_000;

/**
 * The same test as isOutsideBusinessHours, memoized per UTC quarter hour: every zone offset in
 * the tz database is a multiple of 15 minutes, so the local date and minute within a quarter hour
 * follow from its start. Keeps Intl work per quarter hour of the period, not per event.
 */
export function createBusinessHoursCheck(hours: BusinessHours, timeZone: string): (t: number) => boolean {
  const startMin = minutesOfDay(hours.start);
  const endMin = minutesOfDay(hours.end);
  const days = new Set(hours.days);
  const holidays = new Set(hours.holidays);
  const cache = new Map<number, { workingDay: boolean; minute: number } | null>();
  return (t) => {
    const bucket = Math.floor(t / QUARTER_HOUR);
    let info = cache.get(bucket);
    if (info === undefined) {
      const at = bucket * QUARTER_HOUR;
      const p = localParts(timeZone, at);
      const isoDow = p.dow === 0 ? 7 : p.dow;
      // Historical offsets (local mean time) are not quarter hours: no shortcut there.
      info = p.min % 15 !== 0 ? null : { workingDay: days.has(isoDow) && !holidays.has(localDay(timeZone, at)), minute: p.h * 60 + p.min };
      if (cache.size >= 50_000) cache.clear();
      cache.set(bucket, info);
    }
    if (info === null) return isOutsideBusinessHours(hours, timeZone, t);
    if (!info.workingDay) return true;
    const minute = info.minute + Math.floor((t - bucket * QUARTER_HOUR) / 60_000);
    return minute < startMin || minute >= endMin;
  };
}
