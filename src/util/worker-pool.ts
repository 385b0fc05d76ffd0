import { Worker, type ResourceLimits, type Transferable } from 'node:worker_threads';

/** A task's worker stopped (crashed, ran out of memory, was terminated) before it answered. */
export class WorkerStoppedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkerStoppedError';
  }
}

export interface WorkerPool<T, R> {
  /** Runs a task on the next free worker; `transfer` moves buffers instead of copying them. */
  run(task: T, transfer?: readonly Transferable[]): Promise<R>;
  /** Stops every worker; tasks still waiting or running reject with WorkerStoppedError. */
  close(): Promise<void>;
}

interface Job<T, R> {
  task: T;
  transfer: readonly Transferable[];
  resolve(r: R): void;
  reject(e: unknown): void;
}

interface Slot<T, R> {
  worker: Worker;
  job: Job<T, R> | null;
}

/**
 * A fixed number of worker threads, one task at a time each, tasks queued in order. The worker
 * module answers each message with exactly one message. A worker that dies (an uncaught error, out
 * of memory, process.exit) rejects the task it held with WorkerStoppedError and is replaced, so a
 * crash fails one task, never the pool, and never leaves a caller waiting. Small enough that a
 * pool library (piscina) would add more than it saves: we need ordered results, transfer lists and
 * a crash that fails exactly its own task, all of which are a few lines here.
 */
export function createWorkerPool<T, R>(opts: { script: URL; size: number; resourceLimits?: ResourceLimits; workerData?: unknown }): WorkerPool<T, R> {
  const queue: Job<T, R>[] = [];
  const slots: Slot<T, R>[] = [];
  let closed = false;

  const start = (): Slot<T, R> => {
    const worker = new Worker(opts.script, { resourceLimits: opts.resourceLimits, workerData: opts.workerData });
    const slot: Slot<T, R> = { worker, job: null };
    let failure: unknown = null;
    worker.on('message', (msg: R) => {
      const job = slot.job;
      slot.job = null;
      job?.resolve(msg);
      next(slot);
    });
    worker.on('error', (e) => {
      failure = e;
    });
    worker.on('exit', (code) => {
      const job = slot.job;
      slot.job = null;
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      if (job) {
        const why = failure instanceof Error ? failure.message : `exit code ${code}`;
        job.reject(new WorkerStoppedError(`its worker thread stopped (${why})`, { cause: failure ?? undefined }));
      }
      if (!closed && queue.length > 0) next(start());
    });
    // An idle worker must not keep the process alive.
    worker.unref();
    slots.push(slot);
    return slot;
  };
  const next = (slot: Slot<T, R>) => {
    if (closed || slot.job) return;
    const job = queue.shift();
    if (!job) {
      slot.worker.unref();
      return;
    }
    slot.job = job;
    slot.worker.ref();
    slot.worker.postMessage(job.task, job.transfer);
  };

  return {
    run(task, transfer = []) {
      if (closed) return Promise.reject(new WorkerStoppedError('the worker pool is closed'));
      return new Promise<R>((resolve, reject) => {
        queue.push({ task, transfer, resolve, reject });
        const idle = slots.find((s) => s.job === null);
        if (idle) next(idle);
        else if (slots.length < opts.size) next(start());
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new WorkerStoppedError('the worker pool was closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/**
 * `b` itself where it owns its memory whole, so that it can be moved to another thread; else a
 * copy: a small Buffer can be a slice of Node's shared pool, which moving would take from every
 * other Buffer in it.
 */
export function ownedWhole(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && !(b.buffer instanceof SharedArrayBuffer) ? b : new Uint8Array(b);
}

/**
 * The URL of a worker module compiled beside this one. Under the tests (TypeScript run from src/),
 * worker threads cannot load .ts: they run the compiled module in dist/ (`npm test` builds first).
 */
export function compiledModuleUrl(relative: string, base: string): URL {
  const url = new URL(relative, base);
  if (!base.endsWith('.ts')) return url;
  const i = url.pathname.lastIndexOf('/src/');
  return new URL(`file://${url.pathname.slice(0, i)}/dist${url.pathname.slice(i)}`);
}
