import { gzipSync } from 'node:zlib';
import { AuditpackError } from '../errors.js';
import { compiledModuleUrl, createWorkerPool, WorkerStoppedError, type WorkerPool } from '../util/worker-pool.js';

/** Compresses a page's lines into one gzip member for the raw archive (src/pack/raw-archive.ts). */
export type ArchiveGzip = (lines: Uint8Array, level: number) => Promise<Uint8Array>;

export interface GzipTask {
  bytes: Uint8Array;
  level: number;
}

export interface ArchiveGzipThread {
  gzip: ArchiveGzip;
  close(): Promise<void>;
}

/**
 * Bytes gzipped on the calling thread before a thread of its own takes over: a small pull (most
 * runs of a test suite, a quiet day) never pays for starting one.
 */
const IN_PLACE_BYTES = 4 * 1024 * 1024;

/**
 * Gzip for an API source's raw archive in a worker thread: on the main thread, compressing each
 * page (~0.5 ms for 100 KB at level 1) delayed the responses of the other windows waiting behind
 * it, and the requests they lead to (bench/smapi-pull.ts). Zlib's own asynchronous gzip is no
 * substitute: building a stream per page costs the main thread more than compressing there. The
 * same zlib, the same level: the same bytes. Should the thread stop, later pages are compressed
 * here; the page it held fails its window (IO_FAILED), unless the thread had a copy of it.
 */
export function createArchiveGzipThread(opts: { inPlaceBytes?: number } = {}): ArchiveGzipThread {
  const inPlace = opts.inPlaceBytes ?? IN_PLACE_BYTES;
  let seen = 0;
  let pool: WorkerPool<GzipTask, Uint8Array> | null = null;
  let stopped = false;
  const here = (lines: Uint8Array, level: number) => gzipSync(lines, { level });
  return {
    async gzip(lines, level) {
      seen += lines.byteLength;
      if (stopped || seen <= inPlace) return here(lines, level);
      pool ??= createWorkerPool<GzipTask, Uint8Array>({ script: compiledModuleUrl('./gzip-worker.js', import.meta.url), size: 1, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
      // Moved to the thread where the lines own their memory whole (RawWindowWriter.writeLines: the
      // caller is done with them); a slice of a larger buffer is copied.
      const size = lines.byteLength;
      const bytes = lines.byteOffset === 0 && lines.byteLength === lines.buffer.byteLength && !(lines.buffer instanceof SharedArrayBuffer) ? lines : new Uint8Array(lines);
      try {
        return await pool.run({ bytes, level }, [bytes.buffer as ArrayBuffer]);
      } catch (e) {
        if (!(e instanceof WorkerStoppedError)) throw e;
        stopped = true;
        // Lines copied for the thread, or not yet sent, are still here; moved ones went with it: their window fails.
        if (lines.byteLength === size) return here(lines, level);
        throw new AuditpackError('IO_FAILED', `a page could not be archived: the archive's gzip thread stopped (${e.message})`, { cause: e });
      }
    },
    async close() {
      stopped = true;
      await pool?.close();
    },
  };
}
