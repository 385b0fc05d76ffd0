import { parentPort } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import type { GzipTask } from './archive-gzip.js';

/** Worker thread entry (see src/util/worker-pool.ts): one buffer to gzip per message, one member back. */
parentPort?.on('message', (task: GzipTask) => {
  const member = gzipSync(task.bytes, { level: task.level });
  // Transfer only a buffer the member owns whole: a small Buffer can be a slice of Node's shared pool.
  const own = member.byteOffset === 0 && member.byteLength === member.buffer.byteLength ? member : new Uint8Array(member);
  parentPort!.postMessage(own, [own.buffer as ArrayBuffer]);
});
