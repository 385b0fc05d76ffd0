import { parentPort } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import type { ArchiveTask } from './archive-gzip.js';
import { ownedWhole } from '../util/worker-pool.js';
import { locatePage } from './locate-page.js';

/** Worker thread entry (see src/util/worker-pool.ts): one task per message, one answer back, its buffers moved. */
parentPort?.on('message', (task: ArchiveTask) => {
  if (task.kind === 'gzip') {
    const member = ownedWhole(gzipSync(task.bytes, { level: task.level }));
    parentPort!.postMessage(member, [member.buffer as ArrayBuffer]);
    return;
  }
  let located: ReturnType<typeof locatePage> = null;
  try {
    located = locatePage(task.bytes, task.arrayKey, task.count);
  } catch {
    // Anything the scan did not foresee: the caller archives and fingerprints the parsed records.
    located = null;
  }
  if (!located) {
    parentPort!.postMessage(null);
    return;
  }
  const member = ownedWhole(located.member);
  parentPort!.postMessage({ member, contents: located.contents }, [member.buffer as ArrayBuffer, located.contents.buffer as ArrayBuffer]);
});
