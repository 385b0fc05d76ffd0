/** Trino string literal: single quotes doubled (https://trino.io/docs/current/language/types.html#varchar). */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `x IN ('a', 'b')` over string literals; never an empty list (that is not valid SQL). */
export function sqlIn(expr: string, values: readonly string[]): string {
  if (values.length === 0) return 'false';
  return `${expr} IN (${values.map(sqlString).join(', ')})`;
}

/** `"name"` with embedded quotes doubled: a Trino delimited identifier. */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A UTC instant as the literal CloudTrail writes (`2026-10-04T04:00:00Z`, or with milliseconds). */
export function isoLiteral(t: number): string {
  const iso = new Date(t).toISOString();
  return sqlString(iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso);
}

/** The delivery-time text of a log file name (`20261004T0405Z`), comparable as a string. */
export function compactMinute(t: number): string {
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

/** `yyyy/MM/dd` (UTC): the delivery-date partition value of the CloudTrail key layout. */
export function partitionDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10).replace(/-/g, '/');
}
