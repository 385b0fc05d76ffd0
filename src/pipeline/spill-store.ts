import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RowStream } from '../model/report-model.js';

/**
 * Rows that may not fit in memory (every event, every exception) go to disk in ordered buckets
 * (a day, a severity × day); reading sorts one bucket at a time. So memory holds one bucket, and
 * the order never depends on the order rows arrived in.
 */
export interface SpillStore<T> {
  add(row: T): void;
  readonly count: number;
  /** Flushes and returns a re-readable stream of all rows in bucket order, sorted within each. */
  seal(): RowStream<T>;
}

export interface SpillOptions<T, S = T> {
  dir: string;
  name: string;
  /** How a row is stored on disk, and read back (default: as it is). */
  encode?: (row: T) => S;
  decode?: (stored: S) => T;
  bucketOf(row: T): number;
  compare(a: T, b: T): number;
  /** Bytes buffered per bucket before an append. */
  flushBytes?: number;
}

export function createSpillStore<T, S = T>(opts: SpillOptions<T, S>): SpillStore<T> {
  // Per bucket: lines waiting for an append, and their length in characters.
  const buffers = new Map<number, { lines: string[]; size: number }>();
  const flushBytes = opts.flushBytes ?? 64 * 1024;
  const fileOf = (bucket: number) => join(opts.dir, `${opts.name}-${bucket}.ndjson`);
  let count = 0;

  const flush = (bucket: number) => {
    const b = buffers.get(bucket);
    if (!b || b.lines.length === 0) return;
    appendFileSync(fileOf(bucket), b.lines.join(''));
    b.lines = [];
    b.size = 0;
  };

  return {
    add(row) {
      const bucket = opts.bucketOf(row);
      const line = JSON.stringify(opts.encode ? opts.encode(row) : row) + '\n';
      let b = buffers.get(bucket);
      if (!b) {
        b = { lines: [], size: 0 };
        buffers.set(bucket, b);
      }
      b.lines.push(line);
      b.size += line.length;
      count++;
      if (b.size >= flushBytes) flush(bucket);
    },
    get count() {
      return count;
    },
    seal() {
      for (const b of buffers.keys()) flush(b);
      const buckets = [...buffers.keys()].sort((a, b) => a - b);
      const total = count;
      return {
        count: total,
        async *open() {
          for (const b of buckets) {
            const text = readFileSync(fileOf(b), 'utf8');
            const rows: T[] = [];
            // Line by line, not split(): a day of a million-event month is tens of MB of lines.
            for (let from = 0, to = text.indexOf('\n'); to >= 0; from = to + 1, to = text.indexOf('\n', from)) {
              if (to === from) continue;
              const value = JSON.parse(text.slice(from, to)) as S;
              rows.push(opts.decode ? opts.decode(value) : (value as unknown as T));
            }
            rows.sort(opts.compare);
            yield* rows;
          }
        },
      };
    },
  };
}

/** A stream over rows already in memory (small tables, tests). */
export function memoryStream<T>(rows: readonly T[]): RowStream<T> {
  return {
    count: rows.length,
    async *open() {
      yield* rows;
    },
  };
}
