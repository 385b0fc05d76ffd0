/**
 * Excel date cells carry no zone: a cell shows the wall-clock time it is given. To show a time in
 * the report's zone a cell is given the epoch ms whose UTC fields ARE the local wall-clock time.
 */
export type WallClock = (epochMs: number) => number;

const BUCKET_MS = 15 * 60_000;

/**
 * Epoch ms → epoch ms whose UTC fields are the local wall clock of `zone`, without a Date per
 * value. Offsets are cached per 15-minute bucket (zone transitions fall on quarter hours in the tz
 * database since 1970); a bucket whose two ends disagree is computed exactly, every time.
 */
export function createLocalTime(zone: string): WallClock {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const offsetAt = (t: number): number => {
    const whole = Math.floor(t / 1000) * 1000;
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(whole)) {
      if (part.type !== 'literal') p[part.type] = Number(part.value);
    }
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return asUtc - whole;
  };
  const cache = new Map<number, number>();
  return (t: number): number => {
    const bucket = Math.floor(t / BUCKET_MS);
    let offset = cache.get(bucket);
    if (offset === undefined) {
      const a = offsetAt(bucket * BUCKET_MS);
      const b = offsetAt(bucket * BUCKET_MS + BUCKET_MS - 1);
      if (a !== b) return t + offsetAt(t);
      if (cache.size > 50_000) cache.clear();
      cache.set(bucket, a);
      offset = a;
    }
    return t + offset;
  };
}

const DAY_MS = 86_400_000;
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `Date.prototype.toISOString` of epoch ms, with `sep` between date and time and `end` after the
 * milliseconds ("T" and "Z" give toISOString's text), without a Date per value: the date part is
 * made once per day. For millions of CSV fields.
 */
export function createIsoText(sep: string, end: string): (epochMs: number) => string {
  let day = NaN;
  let prefix = '';
  return (t: number): string => {
    const d = Math.floor(t / DAY_MS);
    if (d !== day) {
      day = d;
      prefix = new Date(d * DAY_MS).toISOString().slice(0, -14) + sep;
    }
    let r = t - d * DAY_MS;
    const ms = r % 1000;
    r = (r - ms) / 1000;
    const sec = r % 60;
    r = (r - sec) / 60;
    const min = r % 60;
    const hour = (r - min) / 60;
    return prefix + PAD2[hour] + ':' + PAD2[min] + ':' + PAD2[sec] + '.' + PAD3[ms] + end;
  };
}
