/**
 * https://vidos.id/docs/reference/management/trail types `timestamp` only as "number"; whether it counts seconds or milliseconds is
 * undocumented. 1e11 seconds is the year 5138 and 1e11 milliseconds is 1973, so
 * any plausible audit time falls clearly on one side.
 */
export type TimestampUnit = 'seconds' | 'milliseconds' | 'iso';

const SECONDS_BELOW = 1e11;

export function timestampUnit(value: unknown): TimestampUnit | null {
  const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  if (typeof n === 'number' && Number.isFinite(n) && n > 0) return n < SECONDS_BELOW ? 'seconds' : 'milliseconds';
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return 'iso';
  return null;
}

/** Epoch milliseconds, or null when the value is no time at all. */
export function timestampMs(value: unknown): number | null {
  const unit = timestampUnit(value);
  if (unit === null) return null;
  if (unit === 'iso') return Date.parse(value as string);
  const n = Number(value);
  return unit === 'seconds' ? Math.round(n * 1000) : Math.round(n);
}
