import { parentPort } from 'node:worker_threads';
import type { ArchiveTask } from './archive-gzip.js';
import { ownedWhole } from '../util/worker-pool.js';
import { locatePageOrNull } from './locate-page.js';

/** Worker thread entry (see src/util/worker-pool.ts): one page per message, its located records back, their buffers moved. */
parentPort?.on('message', (task: ArchiveTask) => {
  const located = locatePageOrNull(task.bytes, task.arrayKey, task.count);
  if (!located) {
    parentPort!.postMessage(null);
    return;
  }
  const member = ownedWhole(located.member);
  parentPort!.postMessage({ member, contents: located.contents }, [member.buffer as ArrayBuffer, located.contents.buffer as ArrayBuffer]);
});
