import type { TableDef } from './catalog.js';

/** One object a table may read, with the partition values its key gives. */
export interface CandidateFile {
  /** s3://bucket/key, what `"$path"` returns. */
  path: string;
  key: string;
  size: number;
  etag: string;
  partition: Record<string, string>;
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
}

/** Where to list and which listed objects belong to the table, with their partition values. */
export interface TableFiles {
  bucket: string;
  /** The key prefix to list under (everything before the first partition placeholder). */
  prefix: string;
  /** The partition values of a key, or null when the table does not read it. */
  match(key: string, now: number): Record<string, string> | null;
}

const DAY = 86_400_000;

/**
 * The files of a table as Athena finds them. With partition projection
 * (https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html) a key belongs to the
 * table when `storage.location.template` matches it and every value is one the projection
 * produces: an enum value not listed, a date outside the range or written in another format is a
 * partition Athena never reads, and a query over it returns no rows and no error
 * (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-troubleshooting.html).
 * A table without partitions reads every object under its LOCATION; a partitioned table without
 * projection has no partitions here (the emulator does not keep ALTER TABLE ADD PARTITION).
 * Objects whose name starts with "_" or "." are hidden from Athena
 * (https://docs.aws.amazon.com/athena/latest/ug/tables-location-format.html).
 */
export function tableFiles(table: TableDef): TableFiles {
  const projected = table.properties['projection.enabled']?.toLowerCase() === 'true';
  if (table.partitions.length === 0 || !projected) {
    const { bucket, prefix } = splitS3(table.location.endsWith('/') ? table.location : `${table.location}/`);
    const noPartitions = table.partitions.length > 0;
    return {
      bucket,
      prefix,
      match: (key) => (!noPartitions && key.startsWith(prefix) && !hidden(key) ? {} : null),
    };
  }
  const template = table.properties['storage.location.template'] ?? `${table.location.replace(/\/?$/, '/')}${table.partitions.map((p) => `${p.name}=\${${p.name}}`).join('/')}/`;
  const firstPlaceholder = template.indexOf('${');
  const { bucket, prefix } = splitS3(template.slice(0, firstPlaceholder));
  const names: string[] = [];
  let pattern = '';
  let rest = template.slice(`s3://${bucket}/`.length);
  for (;;) {
    const m = /\$\{([^}]+)\}/.exec(rest);
    if (!m) {
      pattern += escapeRegExp(rest);
      break;
    }
    pattern += escapeRegExp(rest.slice(0, m.index));
    const name = m[1].toLowerCase();
    names.push(name);
    pattern += `(${valuePattern(table, name)})`;
    rest = rest.slice(m.index + m[0].length);
  }
  const regex = new RegExp(`^${pattern}${pattern.endsWith('/') ? '' : '/'}(.+)$`);
  const checks = new Map(table.partitions.map((p) => [p.name, projectedCheck(table.properties, p.name)]));
  return {
    bucket,
    prefix,
    match(key, now) {
      if (hidden(key)) return null;
      const m = regex.exec(key);
      if (!m) return null;
      const values: Record<string, string> = {};
      for (let i = 0; i < names.length; i++) {
        const value = m[i + 1];
        if (!(checks.get(names[i]) ?? (() => false))(value, now)) return null;
        values[names[i]] = value;
      }
      return values;
    },
  };
}

/** Whether one value is a partition the projection of this column produces. */
function projectedCheck(props: Record<string, string>, column: string): (value: string, now: number) => boolean {
  const p = (k: string) => props[`projection.${column}.${k}`];
  switch (p('type')?.toLowerCase()) {
    case 'enum': {
      const values = new Set((p('values') ?? '').split(',').map((v) => v.trim()));
      return (v) => values.has(v);
    }
    case 'injected':
      return () => true;
    case 'integer': {
      const [lo, hi] = (p('range') ?? '').split(',').map((v) => Number(v.trim()));
      const digits = Number(p('digits') ?? 0);
      return (v) => /^-?\d+$/.test(v) && Number(v) >= lo && Number(v) <= hi && v.replace('-', '').length >= digits && String(Number(v)).padStart(digits, '0') === v;
    }
    case 'date': {
      const format = p('format') ?? 'yyyy-MM-dd';
      const [from, to] = (p('range') ?? '').split(',').map((v) => v.trim());
      const unit = (p('interval.unit') ?? 'DAYS').toUpperCase();
      const interval = Number(p('interval') ?? 1);
      return (v, now) => {
        const t = parseDate(v, format);
        if (t === null || formatDate(t, format) !== v) return false;
        const start = rangeBound(from, format, now);
        const end = rangeBound(to, format, now);
        if (start === null || end === null || t < start || t > end) return false;
        // Only dates on the projection's grid exist (for days: every `interval`th day from the start).
        return unit !== 'DAYS' || Math.round((t - start) / DAY) % interval === 0;
      };
    }
    default:
      return () => false;
  }
}

/** A range bound: a date in the column's format, or NOW[±N UNIT] (only whole days are emulated). */
function rangeBound(text: string | undefined, format: string, now: number): number | null {
  if (!text) return null;
  const rel = /^NOW\s*(?:([+-])\s*(\d+)\s*(DAYS?|WEEKS?|HOURS?))?$/i.exec(text);
  if (rel) {
    const n = rel[2] ? Number(rel[2]) * (rel[1] === '-' ? -1 : 1) : 0;
    const unit = (rel[3] ?? 'DAYS').toUpperCase();
    const ms = unit.startsWith('WEEK') ? 7 * DAY : unit.startsWith('HOUR') ? 3_600_000 : DAY;
    return now + n * ms;
  }
  return parseDate(text, format);
}

const FORMAT_TOKENS = /yyyy|MM|dd|HH|mm|ss/g;

function parseDate(v: string, format: string): number | null {
  const fields: Record<string, number> = { yyyy: 1970, MM: 1, dd: 1, HH: 0, mm: 0, ss: 0 };
  const order: string[] = [];
  const re = new RegExp(`^${format.split(FORMAT_TOKENS).map(escapeRegExp).reduce((acc, lit, i, all) => acc + lit + (i < all.length - 1 ? '(\\d+)' : ''), '')}$`);
  for (const m of format.matchAll(FORMAT_TOKENS)) order.push(m[0]);
  const m = re.exec(v);
  if (!m) return null;
  order.forEach((tok, i) => (fields[tok] = Number(m[i + 1])));
  const t = Date.UTC(fields.yyyy, fields.MM - 1, fields.dd, fields.HH, fields.mm, fields.ss);
  return Number.isFinite(t) ? t : null;
}

function formatDate(t: number, format: string): string {
  const d = new Date(t);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const values: Record<string, string> = {
    yyyy: pad(d.getUTCFullYear(), 4),
    MM: pad(d.getUTCMonth() + 1),
    dd: pad(d.getUTCDate()),
    HH: pad(d.getUTCHours()),
    mm: pad(d.getUTCMinutes()),
    ss: pad(d.getUTCSeconds()),
  };
  return format.replace(FORMAT_TOKENS, (tok) => values[tok]);
}

function valuePattern(table: TableDef, column: string): string {
  const type = table.properties[`projection.${column}.type`]?.toLowerCase();
  if (type === 'date') {
    const format = table.properties[`projection.${column}.format`] ?? 'yyyy-MM-dd';
    return format.split(FORMAT_TOKENS).map(escapeRegExp).join('\\d+');
  }
  return '[^/]+';
}

function hidden(key: string): boolean {
  const base = key.slice(key.lastIndexOf('/') + 1);
  return base.startsWith('_') || base.startsWith('.') || base === '';
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function splitS3(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new Error(`not an s3:// URL: ${url}`);
  return { bucket: m[1], prefix: m[2] };
}
