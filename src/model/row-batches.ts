import type { RowStream } from './report-model.js';

/**
 * Rows as a renderer takes them: an array or other iterable held in memory, or a stream read a
 * batch at a time. A row through an async generator costs a promise and a turn of the microtask
 * queue (~0.25 µs); the Events sheet's rows went through two of them (the spill's read, and the
 * pack's abort check), and the exceptions' through a third with trends: a batch pays that once
 * for hundreds of rows.
 */
export type Rows<T> = Iterable<T> | AsyncIterable<readonly T[]>;

/** Rows per batch of a stream read without batches of its own. */
const BATCH = 256;

/** A stream's two ways in from its batches: `open()` hands out their rows one by one. */
export function fromBatches<T>(openBatches: () => AsyncIterable<readonly T[]>): Pick<RowStream<T>, 'open'> & { openBatches: () => AsyncIterable<readonly T[]> } {
  return {
    openBatches,
    async *open() {
      for await (const batch of openBatches()) yield* batch;
    },
  };
}

/** The stream's rows in batches: its own when it has them, else its rows gathered. */
export function rowBatches<T>(stream: RowStream<T>): AsyncIterable<readonly T[]> {
  return stream.openBatches?.() ?? gather(stream.open());
}

async function* gather<T>(rows: AsyncIterable<T>): AsyncGenerator<readonly T[]> {
  let batch: T[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * Calls `each` for every row in order; a promise it returns (a writer asking to wait) is awaited
 * before the next row, and nothing else is: rows in memory go through no promise at all.
 */
export async function forEachRow<T>(rows: Rows<T>, each: (row: T) => Promise<void> | undefined): Promise<void> {
  if (!(Symbol.asyncIterator in rows)) {
    for (const row of rows) {
      const wait = each(row);
      if (wait) await wait;
    }
    return;
  }
  for await (const batch of rows) {
    for (const row of batch) {
      const wait = each(row);
      if (wait) await wait;
    }
  }
}
