/**
 * CloudTrail writes eventTime as ISO 8601 UTC ("2024-05-01T10:00:02Z", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html). Copies that
 * went through log pipelines use "2024-05-01 10:00:02.123456789" (space, no zone, nanoseconds):
 * still UTC. Both are accepted; anything else is not a time.
 */
const TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch ms, or null when the value is not a recognisable UTC timestamp. */
export function parseCloudTrailTime(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  // Fast path for what CloudTrail itself writes (every record of a real trail): 2024-05-01T10:00:02Z.
  if (value.length === 20 && value.charCodeAt(10) === 84 /* T */ && value.charCodeAt(19) === 90 /* Z */) {
    const t = compactIso(value);
    if (t !== null) return t;
  }
  const m = TIME.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  // Date.UTC rolls over out-of-range parts (month 13, second 61): reject those instead.
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || check.getUTCHours() !== Number(h)) return null;
  if (check.getUTCMinutes() !== Number(mi) || check.getUTCSeconds() !== Number(s)) return null;
  return Number.isFinite(t) ? t : null;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `YYYY-MM-DDTHH:MM:SSZ` by digit arithmetic (it runs once per record); null if not exactly that. */
function compactIso(v: string): number | null {
  const digit = (i: number) => {
    const c = v.charCodeAt(i) - 48;
    return c >= 0 && c <= 9 ? c : NaN;
  };
  const two = (i: number) => digit(i) * 10 + digit(i + 1);
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return null;
  const y = two(0) * 100 + two(2);
  const mo = two(5);
  const d = two(8);
  const h = two(11);
  const mi = two(14);
  const s = two(17);
  if (!(mo >= 1 && mo <= 12 && h <= 23 && mi <= 59 && s <= 59 && d >= 1)) return null;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > DAYS_IN_MONTH[mo - 1] + (leap ? 1 : 0)) return null;
  return Date.UTC(y, mo - 1, d, h, mi, s);
}
