import { TZDate } from '@date-fns/tz';
import { AuditpackError } from '../errors.js';

/**
 * Throws TIMEZONE_INVALID unless `zone` is an IANA zone this Node.js knows. Returns it as typed,
 * with only its letter case fixed: Intl accepts "america/new_york", the report should not print
 * it so; an alias keeps its name ("US/Eastern", "EST": ICU would say America/Panama for that).
 */
export function assertTimeZone(zone: string): string {
  try {
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    return canonical.toLowerCase() === zone.toLowerCase() ? canonical : zone;
  } catch {
    throw new AuditpackError('TIMEZONE_INVALID', `unknown time zone "${zone}"`, {
      hint: 'use an IANA name such as UTC, Europe/Berlin or America/New_York',
    });
  }
}

/** Epoch ms of a local wall-clock time in `zone` (month 0-based, as Date). */
export function zonedTime(zone: string, y: number, m: number, d: number, h = 0, min = 0): number {
  return new TZDate(y, m, d, h, min, 0, 0, zone).getTime();
}

/** The local calendar parts of an instant in `zone`. */
export function localParts(zone: string, t: number): { y: number; m: number; d: number; h: number; min: number; dow: number } {
  const z = new TZDate(t, zone);
  return { y: z.getFullYear(), m: z.getMonth(), d: z.getDate(), h: z.getHours(), min: z.getMinutes(), dow: z.getDay() };
}

/** ISO 8601 with the zone's offset: 2026-10-01T00:00:00-04:00. */
export function formatLocalIso(zone: string, t: number): string {
  const s = new TZDate(t, zone).toISOString(); // 2026-10-01T00:00:00.000-04:00
  return s.replace(/\.000(?=[+-Z])/, '').replace(/\+00:00$/, 'Z');
}

/** YYYY-MM-DD of an instant in `zone`. */
export function localDay(zone: string, t: number): string {
  const p = localParts(zone, t);
  return `${p.y}-${String(p.m + 1).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** Start (epoch ms) of the local day that contains `t`, and of the following days. */
export function localDayStart(zone: string, t: number, addDays = 0): number {
  const p = localParts(zone, t);
  return zonedTime(zone, p.y, p.m, p.d + addDays);
}
