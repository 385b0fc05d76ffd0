import type { CellKind } from './styles.js';
import type { WallClock } from './wall-clock.js';

/** A value before it becomes a cell; time kinds take epoch ms, `day` takes "YYYY-MM-DD". */
export type RawValue = string | number | boolean | null | undefined;

/** Which clock a `time` cell shows. */
export type Clock = 'local' | 'utc';

export type CellValue = string | number | Date | undefined;

/**
 * Turns a model value into a cell's: text stays text, times become real dates. Text is made fit
 * for a cell (cellText) by the sheet writer, only when it is written out: a text that repeats is
 * a shared string's index after its first time (sheet-writer.ts).
 */
export function toCellValue(kind: CellKind, raw: RawValue, clock: Clock | undefined, wallClock: WallClock): CellValue {
  if (raw === null || raw === undefined || raw === '') return undefined;
  switch (kind) {
    case 'time': {
      const t = typeof raw === 'number' ? raw : Date.parse(String(raw));
      if (!Number.isFinite(t)) return String(raw);
      return clock === 'utc' ? new Date(t) : wallClock(t);
    }
    case 'day': {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(raw));
      return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : String(raw);
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

/** Width a shown value needs, for column sizing from a sample. */
export function shownLength(kind: CellKind, value: CellValue, measure: (s: string) => number): number {
  if (value === undefined) return 0;
  switch (kind) {
    case 'time':
      return value instanceof Date ? 23 : measure(String(value));
    case 'day':
      return value instanceof Date ? 10 : measure(String(value));
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
