// An archive thread that stops (exit code 3) at the first page it is given.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', () => process.exit(3));
