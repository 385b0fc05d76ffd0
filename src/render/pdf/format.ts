import { format } from 'date-fns';
import { TZDate } from '@date-fns/tz';

/** Number, percentage and time formatting for the PDF: one convention across every page. */

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function fmtInt(n: number): string {
  return INTEGER.format(n);
}

/** A 0..1 rate as a percentage with two decimals ("95.00%"), so small failure rates stay visible. */
export function fmtPct(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

/** "2026-10-05 14:03:22" in `zone`. */
export function fmtLocal(t: number, zone: string, withSeconds = true): string {
  return format(new TZDate(t, zone), withSeconds ? 'yyyy-MM-dd HH:mm:ss' : 'yyyy-MM-dd HH:mm');
}

/** "2026-10-05 18:03:22 UTC". */
export function fmtUtc(t: number, withSeconds = true): string {
  return `${format(new TZDate(t, 'UTC'), withSeconds ? 'yyyy-MM-dd HH:mm:ss' : 'yyyy-MM-dd HH:mm')} UTC`;
}

/** The zone's offset at `t`: "UTC−04:00" (U+2212 minus is in Noto Sans), "UTC+00:00". */
function fmtOffset(t: number, zone: string): string {
  const off = format(new TZDate(t, zone), 'xxx');
  return `UTC${off === 'Z' ? '+00:00' : off.replace('-', '−')}`;
}

/** "2026-10-05 14:03:22 UTC−04:00": a local time that cannot be misread without the zone line. */
export function fmtLocalWithOffset(t: number, zone: string, withSeconds = true): string {
  return `${fmtLocal(t, zone, withSeconds)} ${fmtOffset(t, zone)}`;
}

/** An ISO string (coverage ledger, generated-at) as epoch ms; null when absent or unparsable. */
export function parseIso(s: string | null | undefined): number | null {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

/** A parameter value as one line of text: strings as they are, the rest as JSON. */
export function fmtValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v) ?? String(v);
}

/**
 * A manifest parameter or ledger fact for a reader: a list of records (the sources) one record a
 * line as "key: value" pairs, rather than one run of JSON across the page.
 */
export function fmtParameter(v: unknown): string {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) return fmtValue(v);
  return v
    .map((record: Record<string, unknown>) =>
      Object.entries(record)
        .map(([k, x]) => `${k}: ${fmtValue(x)}`)
        .join(' · '),
    )
    .join('\n');
}
