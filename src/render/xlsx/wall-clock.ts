/**
 * Excel date cells carry no zone: a cell shows the wall-clock time it is given. To show a time in
 * the report's zone we hand exceljs a Date whose UTC fields ARE the local wall-clock time.
 */
export type WallClock = (epochMs: number) => Date;

const BUCKET_MS = 15 * 60_000;

/**
 * Returns a converter epoch ms → Date holding the local wall-clock of `zone` in its UTC fields.
 * Offsets are cached per 15-minute bucket (zone transitions fall on quarter hours in the tz
 * database since 1970); a bucket whose two ends disagree is computed exactly, every time.
 */
export function createWallClock(zone: string): WallClock {
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
  return (t: number): Date => {
    const bucket = Math.floor(t / BUCKET_MS);
    let offset = cache.get(bucket);
    if (offset === undefined) {
      const a = offsetAt(bucket * BUCKET_MS);
      const b = offsetAt(bucket * BUCKET_MS + BUCKET_MS - 1);
      if (a !== b) return new Date(t + offsetAt(t));
      if (cache.size > 50_000) cache.clear();
      cache.set(bucket, a);
      offset = a;
    }
    return new Date(t + offset);
  };
}
