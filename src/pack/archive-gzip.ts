import { AuditpackError } from '../errors.js';
import { compiledModuleUrl, createWorkerPool, ownedWhole, WorkerStoppedError, type WorkerPool } from '../util/worker-pool.js';
import { locatePageOrNull, type LocatedPage } from './locate-page.js';

/** Locates a page's records in its bytes, for the raw archive and their fingerprints (src/pack/locate-page.ts). */
export type LocatePage = (bytes: Uint8Array, arrayKey: string, count: number) => Promise<LocatedPage | null>;

export interface ArchiveTask {
  bytes: Uint8Array;
  arrayKey: string;
  count: number;
}

export interface ArchiveGzipThread {
  /** The caller hands the bytes over (a buffer owned whole is moved to the thread): it must not read them after. */
  locate: LocatePage;
  close(): Promise<void>;
}

/**
 * Bytes located and gzipped on the calling thread before a thread of its own takes over: a small
 * pull (most runs of a test suite, a quiet day) never pays for starting one.
 */
const IN_PLACE_BYTES = 4 * 1024 * 1024;

/**
 * The scan that finds an API page's records in its bytes, and the gzip of them for the raw
 * archive, in a worker thread: on the main thread, scanning and copying each page (~0.5 ms for
 * 100 KB) and compressing it (~0.5 ms at level 1) delayed the responses of the other windows
 * waiting behind it, and the requests they lead to (bench/smapi-pull.ts). Zlib's own asynchronous
 * gzip is no substitute: building a stream per page costs the main thread more than compressing
 * there. The same scan, zlib and level: the same bytes. Should the thread stop, later pages are
 * located here; the page it held fails its window (IO_FAILED), unless the thread had a copy of it.
 * `script`: the thread's module (a test gives one that stops).
 */
export function createArchiveGzipThread(opts: { inPlaceBytes?: number; script?: URL } = {}): ArchiveGzipThread {
  const inPlace = opts.inPlaceBytes ?? IN_PLACE_BYTES;
  const script = opts.script ?? compiledModuleUrl('./gzip-worker.js', import.meta.url);
  let seen = 0;
  let pool: WorkerPool<ArchiveTask, LocatedPage | null> | null = null;
  let stopped = false;
  return {
    /** In the thread, or here: here below the threshold, once closed, or once the thread stopped. */
    async locate(bytes, arrayKey, count) {
      seen += bytes.byteLength;
      if (stopped || seen <= inPlace) return locatePageOrNull(bytes, arrayKey, count);
      pool ??= createWorkerPool<ArchiveTask, LocatedPage | null>({ script, size: 1, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
      // Moved to the thread where the bytes own their memory whole (the caller is done with them); a
      // slice of a larger buffer is copied.
      const size = bytes.byteLength;
      const moved = ownedWhole(bytes);
      try {
        return await pool.run({ bytes: moved, arrayKey, count }, [moved.buffer as ArrayBuffer]);
      } catch (e) {
        if (!(e instanceof WorkerStoppedError)) throw e;
        stopped = true;
        // Bytes copied for the thread, or not yet sent, are still here; moved ones went with it: their window fails.
        if (bytes.byteLength === size) return locatePageOrNull(bytes, arrayKey, count);
        throw new AuditpackError('IO_FAILED', `a page could not be archived: the archive's gzip thread stopped (${e.message})`, { cause: e });
      }
    },
    async close() {
      stopped = true;
      await pool?.close();
    },
  };
}
