import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createBinaryHeap } from '../util/binary-heap.js';
import { join } from 'node:path';
import type { RowStream, SpillBucket, SpillFiles } from '../model/report-model.js';
import { createRecordBuilder, createRecordReader, type RecordCodec, type SortKey } from './record-codec.js';
import { fromBatches } from '../model/row-batches.js';

/**
 * Rows that may not fit in memory (every event, every exception) go to disk in ordered buckets
 * (a day, a severity × day). A bucket's file is put in row order once, on its first read, from
 * sorted runs merged on disk; later reads stream it. So a read holds at most one run (runRows
 * rows), however many events a day has, and the order never depends on the order rows arrived in.
 */
export interface SpillStore<T> {
  /** `encoded`: the row's bytes as the codec writes them, when the caller has them already. */
  add(row: T, encoded?: Uint8Array): void;
  readonly count: number;
  /** Flushes and returns a re-readable stream of all rows in bucket order, sorted within each, with its files. */
  seal(): SealedRows<T>;
  /** Closes the bucket files held open, for a store given up before its seal (a failed run). */
  close(): void;
}

/** A sealed store's rows: the whole stream, or only the rows at some of its positions. */
export interface SealedRows<T> extends RowStream<T> {
  files: SpillFiles;
  openBatches(): AsyncIterable<readonly T[]>;
  /**
   * The rows at `positions` (1-based, in the stream's order), in that order, each with its
   * position: a bucket that holds none of them is not read, and the other rows of a bucket are
   * not decoded (a sample of a few dozen rows from a population of a million read the whole
   * population, each row decoded, at the end of the pull).
   */
  pick(positions: readonly number[]): AsyncIterable<{ position: number; row: T }>;
}

export interface SpillOptions<T> {
  dir: string;
  name: string;
  /** How a row is written to disk and read back (src/pipeline/record-codec.ts). */
  codec: RecordCodec<T>;
  bucketOf(row: T): number;
  compare(a: T, b: T): number;
  /**
   * What a sort holds of each row, when that is less than the row (events: the canonical order's
   * fields); the order must be `compare`'s. Without it a sort holds whole rows.
   */
  sortKey?: SortKey<unknown>;
  /** Bytes buffered per bucket before an append. */
  flushBytes?: number;
  /**
   * Rows sorted in memory at once when a bucket is first read; larger buckets are merged from runs.
   * The default keeps a day of a million-event month one run (no extra pass), and bounds a read's
   * memory for a day that holds far more.
   */
  runRows?: number;
}

/** Bucket files a spill holds open for appends at once. */
const OPEN_FILES = 16;
/** Rows a sealed store hands over at a time (`openBatches`): few enough that they still die young. */
const BATCH_ROWS = 256;

/**
 * On disk a bucket is a sequence of records: a 4-byte little-endian length, then the codec's
 * bytes. Sorting moves records as bytes; only the rows themselves are decoded, never text parsed.
 */
export function createSpillStore<T>(opts: SpillOptions<T>): SpillStore<T> {
  // Per bucket: the bytes of the records waiting for an append, off the JS heap on purpose. Held
  // as JS values until their bucket filled, rows outlived young-generation collections: every
  // event was promoted to old space and died there, and V8 grew the heap with the number of
  // events though the live rows never did (300k SMAPI events: 270 → 176 MB promoted, bench/smapi-pull.ts).
  const buffers = new Map<number, { bytes: Buffer | null; size: number }>();
  const flushBytes = opts.flushBytes ?? 64 * 1024;
  const fileOf = (bucket: number) => join(opts.dir, `${opts.name}-${bucket}.rec`);
  // Buckets whose file is already in row order: sorted once, on the first read.
  const sorted = new Set<number>();
  const runRows = opts.runRows ?? 32_768;
  const builder = createRecordBuilder();
  const rowsIn = new Map<number, number>();
  let reads = 0;
  let count = 0;

  // Bucket files held open for appends, the least recently used closed past OPEN_FILES: opening
  // and closing a file per flush was 3% of a 300k-event pull's main thread in its profile. Rows
  // come roughly in time order, so a few day buckets are hot at a time.
  const open = new Map<number, number>();
  const append = (bucket: number, bytes: Uint8Array) => {
    let fd = open.get(bucket);
    if (fd === undefined) {
      if (open.size >= OPEN_FILES) {
        const [oldest, oldFd] = open.entries().next().value as [number, number];
        open.delete(oldest);
        closeSync(oldFd);
      }
      fd = openSync(fileOf(bucket), 'a');
    } else open.delete(bucket);
    open.set(bucket, fd);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    sorted.delete(bucket);
  };
  const closeAll = () => {
    for (const fd of open.values()) closeSync(fd);
    open.clear();
  };

  const flush = (bucket: number) => {
    const b = buffers.get(bucket);
    if (!b?.bytes || b.size === 0) return;
    append(bucket, b.bytes.subarray(0, b.size));
    b.size = 0;
  };

  return {
    add(row, encoded) {
      const bucket = opts.bucketOf(row);
      let payload: Uint8Array;
      if (encoded) payload = encoded;
      else {
        builder.reset();
        opts.codec.encode(row, builder);
        payload = builder.bytes();
      }
      let b = buffers.get(bucket);
      if (!b) {
        b = { bytes: null, size: 0 };
        buffers.set(bucket, b);
      }
      count++;
      rowsIn.set(bucket, (rowsIn.get(bucket) ?? 0) + 1);
      const need = HEADER + payload.length;
      if (need > flushBytes) {
        flush(bucket);
        const header = Buffer.allocUnsafe(HEADER);
        header.writeUInt32LE(payload.length, 0);
        append(bucket, Buffer.concat([header, payload]));
        return;
      }
      if (!b.bytes || b.size + need > b.bytes.length) {
        if (b.bytes && b.size + need > flushBytes) flush(bucket);
        // Small buckets (a severity on a quiet day) stay small: the buffer doubles up to flushBytes.
        const want = Math.min(flushBytes, Math.max(4096, (b.bytes?.length ?? 0) * 2, b.size + need));
        if (!b.bytes || want > b.bytes.length) {
          const bytes = Buffer.allocUnsafeSlow(want);
          if (b.bytes) b.bytes.copy(bytes, 0, 0, b.size);
          b.bytes = bytes;
        }
      }
      b.bytes.writeUInt32LE(payload.length, b.size);
      b.bytes.set(payload, b.size + HEADER);
      b.size += need;
    },
    get count() {
      return count;
    },
    close: closeAll,
    seal() {
      for (const [bucket, b] of buffers) {
        flush(bucket);
        // The sealed stream keeps this scope alive while the pack renders: the buffers go now.
        b.bytes = null;
      }
      closeAll();
      const buckets = [...buffers.keys()].sort((a, b) => a - b);
      const total = count;
      const runRowsOf = (b: number) => Math.max(runRows, Math.ceil((rowsIn.get(b) ?? 0) / MAX_RUNS));
      let elsewhere: ((file: string) => Promise<void>) | null = null;
      /** Waits for the thread that sorts bucket `b` elsewhere, when there is one. */
      const ready = async (b: number) => {
        if (!sorted.has(b) && elsewhere) {
          await elsewhere(fileOf(b));
          sorted.add(b);
        }
      };
      /** Bucket `b`'s rows in order: its file as it is once sorted, else sorted as it is read (and marked sorted once read to its end). */
      function* inOrder<R>(b: number, reading: RowReading<R, unknown>): Generator<R> {
        if (sorted.has(b)) {
          for (const r of readRecords(fileOf(b), CHUNK, true)) yield reading.row(r, null);
          return;
        }
        yield* sortingRead(fileOf(b), `${fileOf(b)}.${++reads}`, reading, runRowsOf(b));
        sorted.add(b);
      }
      /** Every row in order, a batch at a time. */
      async function* openBatches(): AsyncGenerator<readonly T[]> {
        const reading = rowReading(opts.codec, opts.sortKey ?? null, opts.compare);
        for (const b of buckets) {
          // Streamed, not read whole: rows die young instead of a day's rows being held (and
          // promoted to old space) while the renderers write them (bench/cloudtrail-files-run.ts).
          await ready(b);
          let batch: T[] = [];
          for (const row of inOrder(b, reading)) {
            batch.push(row);
            if (batch.length === BATCH_ROWS) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length) yield batch;
        }
      }
      return {
        count: total,
        files: {
          buckets: (): SpillBucket[] => buckets.map((b) => ({ file: fileOf(b), sorted: sorted.has(b), runRows: runRowsOf(b) })),
          sortedElsewhere(ready) {
            elsewhere = ready;
          },
        },
        async *pick(positions) {
          const wanted = [...new Set(positions)].filter((p) => p >= 1 && p <= total).sort((a, b) => a - b);
          const reading = rowReading(opts.codec, opts.sortKey ?? null, opts.compare);
          const spans: RowReading<RecordSpan, unknown> = { ...reading, row: (r) => r };
          let before = 0;
          let next = 0;
          for (const b of buckets) {
            if (next >= wanted.length) return;
            const rows = rowsIn.get(b) ?? 0;
            if (wanted[next] <= before + rows) {
              await ready(b);
              let position = before;
              for (const r of inOrder(b, spans)) {
                if (++position !== wanted[next]) continue;
                yield { position, row: reading.row(r, null) };
                if (++next >= wanted.length) break;
              }
            }
            before += rows;
          }
        },
        ...fromBatches(openBatches),
      };
    },
  };
}

/** Where a record's bytes are: its header starts at `start`, and it ends before `end`. */
export interface RecordSpan {
  buf: Buffer;
  start: number;
  end: number;
}

interface Held<K> extends RecordSpan {
  key: K;
}

/**
 * How a sort reads records: the key it holds and orders by, and the row it yields. With no sort
 * key the key is the row itself, decoded once.
 */
export interface RowReading<T, K> {
  key(r: RecordSpan): K;
  /** SortKey.primary of a record: 0 for all when the key has none (every pair then compares keys). */
  primary(r: RecordSpan): number;
  /** The row of a record; `key` is its key when the caller holds it (null when not). */
  row(r: RecordSpan, key: K | null): T;
  compare(a: K, b: K): number;
}

export function rowReading<T>(codec: RecordCodec<T>, sortKey: SortKey<unknown> | null, compare: (a: T, b: T) => number): RowReading<T, unknown> {
  const reader = createRecordReader();
  const at = (r: RecordSpan) => {
    reader.load(r.buf, r.start + HEADER);
    return reader;
  };
  const decode = (r: RecordSpan): T => codec.decode(at(r));
  const keyOf = sortKey?.decode;
  const primary = sortKey?.primary;
  return {
    key: keyOf ? (r) => keyOf(at(r)) : decode,
    primary: primary ? (r) => primary(at(r)) : () => 0,
    // Where the key is the row, a row decoded as a key is not decoded again.
    row: keyOf ? decode : (r, key) => (key === null ? decode(r) : (key as T)),
    compare: (sortKey?.compare ?? compare) as (a: unknown, b: unknown) => number,
  };
}

/**
 * Rows of a bucket file in order, rewriting the file sorted (`onSorted` says when it is: before the
 * first row when the bucket is one run, after the last when runs are merged): runs of `runRows`
 * rows sorted in memory by their keys, then merged. Ties keep arrival order (a stable sort, and
 * the earlier run first), as sorting the whole file would. `tmp` names this read's own
 * temporary files: two streams may sort the same bucket at once, and either result is the same.
 */
export function* sortingRead<T, K>(file: string, tmp: string, reading: RowReading<T, K>, runRows: number, onSorted?: () => void): Generator<T> {
  const runs: string[] = [];
  const out = `${tmp}.sorted`;
  let complete = false;
  try {
    let run = createRun(reading);
    for (const r of readRecords(file, CHUNK)) {
      run.add(r);
      if (run.size >= runRows) {
        runs.push(`${tmp}.run-${runs.length}`);
        run.write(runs[runs.length - 1], run.order());
        run = createRun(reading);
      }
    }
    if (runs.length === 0) {
      // One run: sorted in memory, in place on disk at once (a reader elsewhere may go on), then
      // read from memory this once.
      const order = run.order();
      run.write(out, order);
      renameSync(out, file);
      complete = true;
      onSorted?.();
      yield* run.rows(order);
    } else {
      if (run.size > 0) {
        runs.push(`${tmp}.run-${runs.length}`);
        run.write(runs[runs.length - 1], run.order());
      }
      run = createRun(reading);
      yield* mergeRuns(runs, out, reading);
      renameSync(out, file);
      complete = true;
      onSorted?.();
    }
  } finally {
    for (const r of runs) rmSync(r, { force: true });
    if (!complete) rmSync(out, { force: true });
  }
}

/**
 * The records of one run, held as where their bytes are and their primary numbers, not as an
 * object each: a run of a day's events lived long enough to be copied by young-generation
 * collections and promoted, and its keys were decoded in full though the time alone orders nearly
 * every pair. A record's key is decoded only when its primary ties with another's, once.
 */
function createRun<T, K>(reading: RowReading<T, K>) {
  const bufs: Buffer[] = [];
  const chunkOf: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const primaries: number[] = [];
  const keys: (K | undefined)[] = [];
  const span: RecordSpan = { buf: Buffer.alloc(0), start: 0, end: 0 };
  const at = (i: number): RecordSpan => {
    span.buf = bufs[chunkOf[i]];
    span.start = starts[i];
    span.end = ends[i];
    return span;
  };
  const keyOf = (i: number): K => {
    let k = keys[i];
    if (k === undefined) {
      k = reading.key(at(i));
      keys[i] = k;
    }
    return k;
  };
  return {
    get size() {
      return starts.length;
    },
    add(r: RecordSpan) {
      if (bufs.length === 0 || bufs[bufs.length - 1] !== r.buf) bufs.push(r.buf);
      chunkOf.push(bufs.length - 1);
      starts.push(r.start);
      ends.push(r.end);
      primaries.push(reading.primary(r));
      keys.push(undefined);
    },
    /** The records' indexes in row order; ties keep arrival order, as a stable sort of the rows would. */
    order(): number[] {
      const order = Array.from({ length: starts.length }, (_, i) => i);
      return order.sort((a, b) => primaries[a] - primaries[b] || reading.compare(keyOf(a), keyOf(b)) || a - b);
    },
    write(file: string, order: readonly number[]) {
      const writer = recordWriter(file);
      try {
        for (const i of order) writer.add(at(i));
      } finally {
        writer.close();
      }
    },
    *rows(order: readonly number[]): Generator<T> {
      for (const i of order) yield reading.row(at(i), keys[i] ?? null);
    },
  };
}

function* mergeRuns<T, K>(runs: string[], out: string, reading: RowReading<T, K>): Generator<T> {
  interface Head extends Held<K> { run: number; rest: Iterator<RecordSpan> }
  const before = (x: Head, y: Head) => {
    const c = reading.compare(x.key, y.key);
    return c < 0 || (c === 0 && x.run < y.run);
  };
  // Each run's next row, the first of them on top.
  const heap = createBinaryHeap<Head>(before);
  const next = (run: number, rest: Iterator<RecordSpan>) => {
    const n = rest.next();
    if (!n.done) heap.push({ key: reading.key(n.value), buf: n.value.buf, start: n.value.start, end: n.value.end, run, rest });
  };
  const readers = runs.map((file) => readRecords(file, RUN_CHUNK));
  const writer = recordWriter(out);
  try {
    readers.forEach((rest, run) => next(run, rest));
    for (let h = heap.pop(); h; h = heap.pop()) {
      writer.add(h);
      yield reading.row(h, h.key);
      next(h.run, h.rest);
    }
  } finally {
    writer.close();
    for (const r of readers) r.return(undefined);
  }
}

/** Records to a new file, written about CHUNK bytes at a time. */
function recordWriter(file: string): { add(r: RecordSpan): void; close(): void } {
  const fd = openSync(file, 'w');
  const out = Buffer.allocUnsafeSlow(CHUNK);
  let size = 0;
  const write = () => {
    if (size > 0) writeSync(fd, out, 0, size);
    size = 0;
  };
  return {
    add(r) {
      const len = r.end - r.start;
      if (size + len > out.length) write();
      if (len > out.length) writeSync(fd, r.buf, r.start, len);
      else size += r.buf.copy(out, size, r.start, r.end);
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

export const HEADER = 4;
export const CHUNK = 1 << 20;
/** Per run being merged: a bucket may have up to MAX_RUNS of them open at once. */
const RUN_CHUNK = 64 * 1024;
/** Open files per merge; past this many runs, runs get longer instead. */
const MAX_RUNS = 128;

/**
 * The records of a file, read `chunk` bytes at a time. Each read fills a new buffer, so a span
 * stays valid after the next one is read (a sort holds a run's spans); a record cut by the end
 * of a read is carried to the start of the next buffer, which is made large enough to hold it.
 * `reuse`: for a reader that is done with each span before it asks for the next, one buffer is
 * filled again and again: a new megabyte per read of a sorted bucket was garbage that V8 freed
 * only at its next full collection, ~60 MiB of the workbook's peak at a million events.
 */
export function* readRecords(file: string, chunk: number, reuse = false): Generator<RecordSpan> {
  const fd = openSync(file, 'r');
  let carry: Buffer | null = null;
  let need = 0;
  let last: Buffer | null = null;
  try {
    for (;;) {
      const keep: number = carry?.length ?? 0;
      const size = Math.max(chunk, need);
      const buf: Buffer = reuse && last && last.length >= size ? last : Buffer.allocUnsafeSlow(size);
      // Into the same buffer the carry is a view of, too: copy moves overlapping bytes correctly.
      if (carry) carry.copy(buf, 0);
      last = buf;
      const n = readSync(fd, buf, keep, buf.length - keep, null);
      if (n === 0) {
        if (keep > 0) throw new Error(`${file}: the last record is cut short (${keep} bytes)`);
        break;
      }
      const end: number = keep + n;
      let pos = 0;
      while (pos + HEADER <= end) {
        const stop = pos + HEADER + buf.readUInt32LE(pos);
        if (stop > end) break;
        yield { buf, start: pos, end: stop };
        pos = stop;
      }
      carry = pos < end ? buf.subarray(pos, end) : null;
      need = carry && carry.length >= HEADER ? HEADER + carry.readUInt32LE(0) : 0;
    }
  } finally {
    closeSync(fd);
  }
}
