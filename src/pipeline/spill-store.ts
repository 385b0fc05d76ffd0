import { appendFileSync, closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RowStream } from '../model/report-model.js';

/**
 * Rows that may not fit in memory (every event, every exception) go to disk in ordered buckets
 * (a day, a severity × day). A bucket's file is put in row order once, on its first read, from
 * sorted runs merged on disk; later reads stream it. So a read holds at most one run (runRows
 * rows), however many events a day has, and the order never depends on the order rows arrived in.
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
  /**
   * Rows sorted in memory at once when a bucket is first read; larger buckets are merged from runs.
   * The default keeps a day of a million-event month one run (no extra pass), and bounds a read's
   * memory for a day that holds far more.
   */
  runRows?: number;
}

export function createSpillStore<T, S = T>(opts: SpillOptions<T, S>): SpillStore<T> {
  // Per bucket: the UTF-8 bytes of the lines waiting for an append, off the JS heap on purpose.
  // Held as strings until their bucket filled, lines outlived young-generation collections: every
  // event's line was promoted to old space and died there, and V8 grew the heap with the number of
  // events though the live rows never did (300k SMAPI events: 270 → 176 MB promoted, bench/smapi-pull.ts).
  const buffers = new Map<number, { bytes: Buffer | null; size: number }>();
  const flushBytes = opts.flushBytes ?? 64 * 1024;
  const fileOf = (bucket: number) => join(opts.dir, `${opts.name}-${bucket}.ndjson`);
  // Buckets whose file is already in row order: sorted once, on the first read.
  const sorted = new Set<number>();
  const runRows = opts.runRows ?? 32_768;
  const rowOf = (line: string): T => {
    const value = JSON.parse(line) as S;
    return opts.decode ? opts.decode(value) : (value as unknown as T);
  };
  const rowsIn = new Map<number, number>();
  let reads = 0;
  let count = 0;

  const flush = (bucket: number) => {
    const b = buffers.get(bucket);
    if (!b?.bytes || b.size === 0) return;
    appendFileSync(fileOf(bucket), b.bytes.subarray(0, b.size));
    b.size = 0;
    sorted.delete(bucket);
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
      rowsIn.set(bucket, (rowsIn.get(bucket) ?? 0) + 1);
      // A UTF-16 unit takes at most 3 UTF-8 bytes: this bound saves measuring every line.
      const most = line.length * 3;
      if (most > flushBytes) {
        flush(bucket);
        appendFileSync(fileOf(bucket), line);
        sorted.delete(bucket);
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
            // Streamed, not read whole: rows die young instead of a day's rows being held (and
            // promoted to old space) while the renderers write them (bench/cloudtrail-files-run.ts).
            if (sorted.has(b)) {
              for (const line of readLines(fileOf(b), CHUNK)) yield rowOf(line);
              continue;
            }
            const runs = Math.max(runRows, Math.ceil((rowsIn.get(b) ?? 0) / MAX_RUNS));
            yield* sortingRead(fileOf(b), `${fileOf(b)}.${++reads}`, rowOf, opts.compare, runs);
            sorted.add(b);
          }
        },
      };
    },
  };
}

/**
 * Rows of a bucket file in order, rewriting the file sorted as they go (only once the last row is
 * out): runs of `runRows` rows sorted in memory, then merged. Ties keep arrival order (a stable
 * sort, and the earlier run first), as sorting the whole file would. `tmp` names this read's own
 * temporary files: two streams may sort the same bucket at once, and either result is the same.
 */
function* sortingRead<T>(file: string, tmp: string, rowOf: (line: string) => T, compare: (a: T, b: T) => number, runRows: number): Generator<T> {
  const runs: string[] = [];
  const out = `${tmp}.sorted`;
  let complete = false;
  try {
    let rows: { row: T; line: string }[] = [];
    const byRow = (x: { row: T }, y: { row: T }) => compare(x.row, y.row);
    for (const line of readLines(file, CHUNK)) {
      rows.push({ row: rowOf(line), line });
      if (rows.length >= runRows) {
        runs.push(`${tmp}.run-${runs.length}`);
        writeLines(runs[runs.length - 1], rows.sort(byRow).map((r) => r.line));
        rows = [];
      }
    }
    if (runs.length === 0) {
      // One run: sorted in memory, and read from there this once.
      rows.sort(byRow);
      writeLines(out, rows.map((r) => r.line));
      for (const r of rows) yield r.row;
    } else {
      if (rows.length > 0) {
        runs.push(`${tmp}.run-${runs.length}`);
        writeLines(runs[runs.length - 1], rows.sort(byRow).map((r) => r.line));
      }
      rows = [];
      yield* mergeRuns(runs, out, rowOf, compare);
    }
    renameSync(out, file);
    complete = true;
  } finally {
    for (const r of runs) rmSync(r, { force: true });
    if (!complete) rmSync(out, { force: true });
  }
}

function* mergeRuns<T>(runs: string[], out: string, rowOf: (line: string) => T, compare: (a: T, b: T) => number): Generator<T> {
  interface Head { row: T; line: string; run: number; rest: Iterator<string> }
  const before = (x: Head, y: Head) => {
    const c = compare(x.row, y.row);
    return c < 0 || (c === 0 && x.run < y.run);
  };
  // A binary min-heap of each run's next row.
  const heap: Head[] = [];
  const push = (h: Head) => {
    let i = heap.push(h) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const pop = (): Head => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l], heap[m])) m = l;
        if (r < heap.length && before(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  };
  const next = (run: number, rest: Iterator<string>) => {
    const n = rest.next();
    if (!n.done) push({ row: rowOf(n.value), line: n.value, run, rest });
  };
  const readers = runs.map((file) => readLines(file, RUN_CHUNK));
  const writer = lineWriter(out);
  try {
    readers.forEach((rest, run) => next(run, rest));
    while (heap.length > 0) {
      const h = pop();
      writer.add(h.line);
      yield h.row;
      next(h.run, h.rest);
    }
  } finally {
    writer.close();
    for (const r of readers) r.return(undefined);
  }
}

/** Lines to a new file, written about CHUNK bytes at a time. */
function lineWriter(file: string): { add(line: string): void; close(): void } {
  const fd = openSync(file, 'w');
  let pending: string[] = [];
  let size = 0;
  const write = () => {
    if (size > 0) writeSync(fd, pending.join(''));
    pending = [];
    size = 0;
  };
  return {
    add(line) {
      pending.push(line, '\n');
      size += line.length + 1;
      if (size >= CHUNK) write();
    },
    close() {
      try {
        write();
      } finally {
        closeSync(fd);
      }
    },
  };
}

function writeLines(file: string, lines: readonly string[]): void {
  const writer = lineWriter(file);
  try {
    for (const line of lines) writer.add(line);
  } finally {
    writer.close();
  }
}

const CHUNK = 1 << 20;
/** Per run being merged: a bucket may have up to MAX_RUNS of them open at once. */
const RUN_CHUNK = 64 * 1024;
/** Open files per merge; past this many runs, runs get longer instead. */
const MAX_RUNS = 128;

/** The non-empty lines of a file, read `chunk` bytes at a time. */
function* readLines(file: string, chunk: number): Generator<string> {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(chunk);
  let carry: Buffer | null = null;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, chunk, null);
      if (n === 0) break;
      let bytes = buf.subarray(0, n);
      if (carry) {
        bytes = Buffer.concat([carry, bytes]);
        carry = null;
      }
      // A newline byte never occurs inside a multi-byte UTF-8 character: cutting there is safe.
      let from = 0;
      for (let to = bytes.indexOf(10, from); to >= 0; from = to + 1, to = bytes.indexOf(10, from)) {
        if (to > from) yield bytes.toString('utf8', from, to);
      }
      // Copied: the next read overwrites buf.
      if (from < bytes.length) carry = Buffer.from(bytes.subarray(from));
    }
    if (carry && carry.length > 0) yield carry.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
