import { gzipSync } from 'node:zlib';
import { AuditpackError } from '../errors.js';
import { compiledModuleUrl, createWorkerPool, ownedWhole, WorkerStoppedError, type WorkerPool } from '../util/worker-pool.js';
import { locatePage, type LocatedPage } from './locate-page.js';

/** Compresses a page's lines into one gzip member for the raw archive (src/pack/raw-archive.ts). */
export type ArchiveGzip = (lines: Uint8Array, level: number) => Promise<Uint8Array>;

/** Locates a page's records in its bytes, for the raw archive and their fingerprints (src/pack/locate-page.ts). */
export type LocatePage = (bytes: Uint8Array, arrayKey: string, count: number) => Promise<LocatedPage | null>;

export type ArchiveTask = { kind: 'gzip'; bytes: Uint8Array; level: number } | { kind: 'locate'; bytes: Uint8Array; arrayKey: string; count: number };

export interface ArchiveGzipThread {
  gzip: ArchiveGzip;
  /** The caller hands the bytes over (a buffer owned whole is moved to the thread): it must not read them after. */
  locate: LocatePage;
  close(): Promise<void>;
}

/**
 * Bytes gzipped on the calling thread before a thread of its own takes over: a small pull (most
 * runs of a test suite, a quiet day) never pays for starting one.
 */
const IN_PLACE_BYTES = 4 * 1024 * 1024;

/**
 * Gzip for an API source's raw archive in a worker thread, and (`locate`) the scan that finds a
 * page's records in its bytes, their lines and fingerprints: on the main thread, compressing each
 * page (~0.5 ms for 100 KB at level 1), and scanning and copying it (~0.5 ms), delayed the responses of the other windows waiting behind
 * it, and the requests they lead to (bench/smapi-pull.ts). Zlib's own asynchronous gzip is no
 * substitute: building a stream per page costs the main thread more than compressing there. The
 * same zlib, the same level: the same bytes. Should the thread stop, later pages are compressed
 * here; the page it held fails its window (IO_FAILED), unless the thread had a copy of it.
 */
export function createArchiveGzipThread(opts: { inPlaceBytes?: number } = {}): ArchiveGzipThread {
  const inPlace = opts.inPlaceBytes ?? IN_PLACE_BYTES;
  let seen = 0;
  let pool: WorkerPool<ArchiveTask, unknown> | null = null;
  let stopped = false;
  /** In the thread, or here: here below the threshold, once closed, or once the thread stopped. */
  const run = async <R>(bytes: Uint8Array, task: (bytes: Uint8Array) => ArchiveTask, here: () => R): Promise<R> => {
    seen += bytes.byteLength;
    if (stopped || seen <= inPlace) return here();
    pool ??= createWorkerPool<ArchiveTask, unknown>({ script: compiledModuleUrl('./gzip-worker.js', import.meta.url), size: 1, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
    // Moved to the thread where the bytes own their memory whole (the caller is done with them); a
    // slice of a larger buffer is copied.
    const size = bytes.byteLength;
    const moved = ownedWhole(bytes);
    try {
      return (await pool.run(task(moved), [moved.buffer as ArrayBuffer])) as R;
    } catch (e) {
      if (!(e instanceof WorkerStoppedError)) throw e;
      stopped = true;
      // Bytes copied for the thread, or not yet sent, are still here; moved ones went with it: their window fails.
      if (bytes.byteLength === size) return here();
      throw new AuditpackError('IO_FAILED', `a page could not be archived: the archive's gzip thread stopped (${e.message})`, { cause: e });
    }
  };
  return {
    gzip: (lines, level) => run(lines, (bytes) => ({ kind: 'gzip', bytes, level }), () => gzipSync(lines, { level })),
    locate: (page, arrayKey, count) => run(page, (bytes) => ({ kind: 'locate', bytes, arrayKey, count }), () => locatePage(page, arrayKey, count)),
    async close() {
      stopped = true;
      await pool?.close();
    },
  };
}
