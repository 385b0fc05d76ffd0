import type { CellKind } from './styles.js';
import type { WallClock } from './wall-clock.js';

/** A value before it becomes a cell; time kinds take epoch ms, `day` takes "YYYY-MM-DD". */
export type RawValue = string | number | boolean | null | undefined;

/** Which clock a `time` cell shows. */
export type Clock = 'local' | 'utc';

/** A cell's value: text, or a number (a time or a day is its Excel serial number: excelSerial). */
export type CellValue = string | number | undefined;

/**
 * Turns a model value into a cell's: text stays text, a time or a day becomes its Excel serial
 * number (the column's style shows it as a date). Text is made fit
 * for a cell (cellText) by the sheet writer, only when it is written out: a text that repeats is
 * a shared string's index after its first time (sheet-writer.ts).
 */
export function toCellValue(kind: CellKind, raw: RawValue, clock: Clock | undefined, wallClock: WallClock): CellValue {
  if (raw === null || raw === undefined || raw === '') return undefined;
  switch (kind) {
    case 'time': {
      const t = typeof raw === 'number' ? raw : Date.parse(String(raw));
      if (!Number.isFinite(t)) return String(raw);
      return excelSerial(clock === 'utc' ? t : wallClock(t));
    }
    case 'day': {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(raw));
      return m ? excelSerial(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : String(raw);
    }
    case 'count':
    case 'rate':
    case 'number':
    case 'seconds':
      return typeof raw === 'number' && Number.isFinite(raw) ? raw : String(raw);
    case 'text':
      return typeof raw === 'boolean' ? (raw ? 'yes' : 'no') : String(raw);
  }
}

/** Excel stores times as days since 1899-12-30 (the 1900 date system, ECMA-376 Part 1 §18.17.4.1). */
const EXCEL_EPOCH_DAYS = 25569;
const DAY_MS = 86_400_000;

/**
 * A time as Excel's serial number (its cell's style shows it as a date), from epoch ms whose UTC
 * fields are the time to show: a number per time cell instead of a Date made and read back.
 */
export function excelSerial(ms: number): number {
  return EXCEL_EPOCH_DAYS + ms / DAY_MS;
}

/** Width a shown value needs, for column sizing from a sample. */
export function shownLength(kind: CellKind, value: CellValue, measure: (s: string) => number): number {
  if (value === undefined) return 0;
  switch (kind) {
    case 'time':
      return typeof value === 'number' ? 23 : measure(String(value));
    case 'day':
      return typeof value === 'number' ? 10 : measure(String(value));
    case 'rate':
      return typeof value === 'number' ? (value * 100).toFixed(1).length + 1 : measure(String(value));
    case 'count':
      return typeof value === 'number' ? Math.round(value).toLocaleString('en-US').length : measure(String(value));
    case 'seconds':
      return typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 1 }).length + 1 : measure(String(value));
    default:
      return measure(String(value));
  }
}
