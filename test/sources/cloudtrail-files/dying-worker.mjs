// A worker for the pool's tests: answers n + 1, or exits with code 3 when asked to.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (task) => {
  if (task.exit) process.exit(3);
  parentPort.postMessage(task.n + 1);
});
