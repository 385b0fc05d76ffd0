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
  // Per bucket: the UTF-8 bytes of the lines waiting for an append, off the JS heap on purpose.
  // Held as strings until their bucket filled, lines outlived young-generation collections: every
  // event's line was promoted to old space and died there, and V8 grew the heap with the number of
  // events though the live rows never did (300k SMAPI events: 270 → 176 MB promoted, bench/smapi-pull.ts).
  const buffers = new Map<number, { bytes: Buffer | null; size: number }>();
  const flushBytes = opts.flushBytes ?? 64 * 1024;
  const fileOf = (bucket: number) => join(opts.dir, `${opts.name}-${bucket}.ndjson`);
  let count = 0;

  const flush = (bucket: number) => {
    const b = buffers.get(bucket);
    if (!b?.bytes || b.size === 0) return;
    appendFileSync(fileOf(bucket), b.bytes.subarray(0, b.size));
    b.size = 0;
  };

  return {
    add(row) {
      const bucket = opts.bucketOf(row);
      const line = JSON.stringify(opts.encode ? opts.encode(row) : row) + '\n';
      let b = buffers.get(bucket);
      if (!b) {
        b = { bytes: null, size: 0 };
        buffers.set(bucket, b);
      }
      count++;
      // A UTF-16 unit takes at most 3 UTF-8 bytes: this bound saves measuring every line.
      const most = line.length * 3;
      if (most > flushBytes) {
        flush(bucket);
        appendFileSync(fileOf(bucket), line);
        return;
      }
      if (!b.bytes || b.size + most > b.bytes.length) {
        if (b.bytes && b.size + most > flushBytes) flush(bucket);
        // Small buckets (a severity on a quiet day) stay small: the buffer doubles up to flushBytes.
        const want = Math.min(flushBytes, Math.max(4096, (b.bytes?.length ?? 0) * 2, b.size + most));
        if (!b.bytes || want > b.bytes.length) {
          const bytes = Buffer.allocUnsafeSlow(want);
          if (b.bytes) b.bytes.copy(bytes, 0, 0, b.size);
          b.bytes = bytes;
        }
      }
      b.size += b.bytes.write(line, b.size);
    },
    get count() {
      return count;
    },
    seal() {
      for (const [bucket, b] of buffers) {
        flush(bucket);
        // The sealed stream keeps this scope alive while the pack renders: the buffers go now.
        b.bytes = null;
      }
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
