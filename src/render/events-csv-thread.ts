import { Worker } from 'node:worker_threads';
import { AuditpackError } from '../errors.js';
import type { SpillBucket, SpillFiles } from '../model/report-model.js';
import { compiledModuleUrl } from '../util/worker-pool.js';

/** What the events.csv.gz thread is given (events-csv-worker.ts). */
export interface EventsCsvTask {
  buckets: SpillBucket[];
  timeZone: string;
  path: string;
}

/** What it says: each bucket once it is in row order on disk, then the end. */
export type EventsCsvMessage = { kind: 'sorted'; file: string } | { kind: 'done'; rows: number } | { kind: 'failed'; message: string };

interface Pending {
  promise: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

function pending(): Pending {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Whoever waits for the bucket gets the rejection; nobody waiting is not an unhandled one.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Writes events.csv.gz from the spilled event buckets in a worker thread, while this thread
 * renders the PDF and the workbook. The worker sorts each bucket not yet in row order as it
 * writes it (the spill's own sort, so the order is the same) and says so; a read of that bucket in
 * this thread (the Events sheet) waits for it instead of sorting it too. A worker that stops
 * fails the render and every read waiting on it, never leaves one waiting.
 */
export function renderEventsCsvInWorker(files: SpillFiles, timeZone: string, path: string, signal?: AbortSignal): Promise<{ rows: number }> {
  const buckets = files.buckets();
  const waits = new Map(buckets.filter((b) => !b.sorted).map((b) => [b.file, pending()]));
  files.sortedElsewhere((file) => waits.get(file)?.promise ?? Promise.resolve());
  const task: EventsCsvTask = { buckets, timeZone, path };
  // A small young generation, as the parse workers have: its rows die young, and a larger one only
  // grows the process's peak memory while the workbook is written beside it.
  const worker = new Worker(compiledModuleUrl('./events-csv-worker.js', import.meta.url), { workerData: task, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  return new Promise<{ rows: number }>((resolve, reject) => {
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      for (const w of waits.values()) w.reject(e);
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      reject(e);
    };
    // The same error as the pack's other stages give at Ctrl-C (exit 130), whatever the signal's reason.
    const onAbort = () => fail(new AuditpackError('ABORTED', 'interrupted while writing events.csv.gz', { hint: 'run the same command again to resume: the windows pulled are kept' }));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let error: unknown = null;
    worker.on('message', (m: EventsCsvMessage) => {
      if (m.kind === 'sorted') waits.get(m.file)?.resolve();
      else if (m.kind === 'failed') fail(new AuditpackError('IO_FAILED', `events.csv.gz could not be written: ${m.message}`));
      else {
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        resolve({ rows: m.rows });
      }
    });
    worker.on('error', (e) => {
      error = e;
    });
    worker.on('exit', (code) => {
      const why = error instanceof Error ? error.message : `exit code ${code}`;
      fail(new AuditpackError('IO_FAILED', `events.csv.gz could not be written: its worker thread stopped (${why})`, { cause: error ?? undefined }));
    });
  });
}
