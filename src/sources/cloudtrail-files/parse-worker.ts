import { parentPort } from 'node:worker_threads';
import { parseLogFileBytes, type ParseTask } from './parse-log-file.js';

/** Worker thread entry (see src/util/worker-pool.ts): one log file per message, one answer each. */
parentPort?.on('message', (task: ParseTask) => {
  const result = parseLogFileBytes(task);
  if (!result.ok) {
    parentPort!.postMessage(result);
    return;
  }
  // Transfer only a buffer the bytes own whole: a small Buffer can be a slice of Node's shared pool.
  const a = result.archive;
  const own = a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : new Uint8Array(a);
  parentPort!.postMessage({ ...result, archive: own }, [own.buffer as ArrayBuffer, result.contents.buffer as ArrayBuffer]);
});
