import { AuditpackError } from '../errors.js';
import type { PeriodInfo } from '../model/report-model.js';
import { assertTimeZone, formatLocalIso, localParts, zonedTime } from './time-zone.js';

export interface PeriodInput {
  /** "2026-10", "2026-Q3", "2026-W43", "2026-10-15", "last-month", "last-week", "last-quarter", "yesterday". */
  period?: string;
  /** Date (YYYY-MM-DD, local, inclusive start) or ISO date-time with offset. */
  from?: string;
  /** Date (YYYY-MM-DD: that whole local day is included) or ISO date-time (exclusive). */
  to?: string;
  timeZone: string;
  /** For the relative forms (last-month…). */
  now: number;
}

export const PERIOD_FORMS = 'YYYY-MM, YYYY-Qn, YYYY-Www, YYYY-MM-DD, last-month, last-quarter, last-week, yesterday, or --from/--to';

/** Turns what the user typed into a half-open [start, end) period computed in the user's zone. */
export function parsePeriod(input: PeriodInput): PeriodInfo {
  const zone = assertTimeZone(input.timeZone);
  const { start, end, label } = resolve(input, zone);
  if (!(end > start)) {
    throw new AuditpackError('PERIOD_INVALID', `the period ${label} is empty: its end is not after its start`, {
      hint: 'give --to later than --from',
    });
  }
  if (end > input.now) {
    throw new AuditpackError('PERIOD_INVALID', `the period ${label} has not ended yet (it ends ${formatLocalIso(zone, end)})`, {
      hint: 'evidence packs cover closed periods; choose an earlier period or an earlier --to',
    });
  }
  return {
    label,
    timeZone: zone,
    start,
    end,
    startLocal: formatLocalIso(zone, start),
    endLocal: formatLocalIso(zone, end),
    startUtc: new Date(start).toISOString(),
    endUtc: new Date(end).toISOString(),
  };
}

function resolve(input: PeriodInput, zone: string): { start: number; end: number; label: string } {
  if (input.from !== undefined || input.to !== undefined) {
    if (input.period !== undefined && input.period !== 'last-month') {
      throw usage(`--period cannot be combined with --from/--to`);
    }
    if (input.from === undefined || input.to === undefined) throw usage('--from and --to go together');
    const start = parseBound(input.from, zone, 'from');
    const end = parseBound(input.to, zone, 'to');
    return { start, end, label: `${input.from}..${input.to}` };
  }
  const p = (input.period ?? 'last-month').trim();
  const now = localParts(zone, input.now);
  let m: RegExpMatchArray | null;
  if (p === 'last-month') return month(zone, now.y, now.m - 1);
  if (p === 'last-quarter') {
    const q = Math.floor(now.m / 3) - 1;
    return quarter(zone, now.y + Math.floor(q / 4), ((q % 4) + 4) % 4);
  }
  if (p === 'yesterday') return day(zone, now.y, now.m, now.d - 1);
  if (p === 'last-week') {
    const isoDow = now.dow === 0 ? 7 : now.dow;
    const start = zonedTime(zone, now.y, now.m, now.d - isoDow - 6);
    const sp = localParts(zone, start);
    return { start, end: zonedTime(zone, sp.y, sp.m, sp.d + 7), label: isoWeekLabel(sp.y, sp.m, sp.d) };
  }
  if ((m = p.match(/^(\d{4})-(\d{2})$/))) {
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) throw invalid(p, `month ${m[2]} does not exist`);
    return month(zone, Number(m[1]), mo - 1);
  }
  if ((m = p.match(/^(\d{4})-Q([1-4])$/i))) return quarter(zone, Number(m[1]), Number(m[2]) - 1);
  if ((m = p.match(/^(\d{4})-W(\d{2})$/i))) return isoWeek(zone, Number(m[1]), Number(m[2]), p);
  if ((m = p.match(/^(\d{4})-(\d{2})-(\d{2})$/))) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
    if (!validDate(y, mo, d)) throw invalid(p, 'that date does not exist');
    return day(zone, y, mo, d);
  }
  throw new AuditpackError('PERIOD_INVALID', `unknown period format "${p}"`, { hint: `use ${PERIOD_FORMS} (e.g. 2026-10, 2026-Q3, 2026-W43)` });
}

function month(zone: string, y: number, m: number) {
  const start = zonedTime(zone, y, m, 1);
  const sp = localParts(zone, start);
  return { start, end: zonedTime(zone, sp.y, sp.m + 1, 1), label: `${sp.y}-${String(sp.m + 1).padStart(2, '0')}` };
}

function quarter(zone: string, y: number, q: number) {
  return { start: zonedTime(zone, y, q * 3, 1), end: zonedTime(zone, y, q * 3 + 3, 1), label: `${y}-Q${q + 1}` };
}

function day(zone: string, y: number, m: number, d: number) {
  const start = zonedTime(zone, y, m, d);
  const sp = localParts(zone, start);
  const label = `${sp.y}-${String(sp.m + 1).padStart(2, '0')}-${String(sp.d).padStart(2, '0')}`;
  return { start, end: zonedTime(zone, sp.y, sp.m, sp.d + 1), label };
}

/** ISO 8601 week: weeks start on Monday; week 1 holds the year's first Thursday (so Jan 4). */
function isoWeek(zone: string, y: number, w: number, label: string) {
  const jan4 = new Date(Date.UTC(y, 0, 4));
  const jan4Dow = jan4.getUTCDay() === 0 ? 7 : jan4.getUTCDay();
  const weeksInYear = isoWeeksInYear(y);
  if (w < 1 || w > weeksInYear) throw invalid(label, `${y} has ${weeksInYear} ISO weeks`);
  const mondayDay = 4 - (jan4Dow - 1) + (w - 1) * 7; // day-of-January of that Monday
  return { start: zonedTime(zone, y, 0, mondayDay), end: zonedTime(zone, y, 0, mondayDay + 7), label: label.toUpperCase() };
}

function isoWeeksInYear(y: number): number {
  const dec28 = new Date(Date.UTC(y, 11, 28));
  const jan4 = new Date(Date.UTC(y, 0, 4));
  const mondayOfWeek1 = Date.UTC(y, 0, 4 - ((jan4.getUTCDay() + 6) % 7));
  return Math.floor((dec28.getTime() - mondayOfWeek1) / (7 * 86_400_000)) + 1;
}

function isoWeekLabel(y: number, m: number, d: number): string {
  const date = new Date(Date.UTC(y, m, d));
  const thursday = new Date(date.getTime() + (3 - ((date.getUTCDay() + 6) % 7)) * 86_400_000);
  const wy = thursday.getUTCFullYear();
  const jan4 = new Date(Date.UTC(wy, 0, 4));
  const week1Monday = Date.UTC(wy, 0, 4 - ((jan4.getUTCDay() + 6) % 7));
  const w = Math.floor((Date.UTC(y, m, d) - week1Monday) / (7 * 86_400_000)) + 1;
  return `${wy}-W${String(w).padStart(2, '0')}`;
}

function parseBound(text: string, zone: string, which: 'from' | 'to'): number {
  const m = text.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
    if (!validDate(y, mo, d)) throw invalid(text, 'that date does not exist');
    // A bare --to date means "through that day": the period ends at the next local midnight.
    return zonedTime(zone, y, mo, which === 'to' ? d + 1 : d);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const t = Date.parse(text);
    if (Number.isFinite(t)) return t;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) {
    const [datePart, timePart] = text.split('T');
    const [y, mo, d] = datePart.split('-').map(Number);
    const [h, mi] = timePart.split(':').map(Number);
    return zonedTime(zone, y, mo - 1, d, h, mi);
  }
  throw new AuditpackError('PERIOD_INVALID', `--${which} "${text}" is not a date`, {
    hint: 'use YYYY-MM-DD, or an ISO date-time such as 2026-10-01T00:00 (local) or 2026-10-01T04:00Z',
  });
}

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m && t.getUTCDate() === d;
}

function invalid(text: string, why: string): AuditpackError {
  return new AuditpackError('PERIOD_INVALID', `invalid period "${text}": ${why}`, { hint: `periods are ${PERIOD_FORMS}` });
}

function usage(msg: string): AuditpackError {
  return new AuditpackError('USAGE', msg, { hint: 'see auditpack run --help' });
}
