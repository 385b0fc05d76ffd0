import { parentPort } from 'node:worker_threads';
import { ownedWhole } from '../../util/worker-pool.js';
import { parseLogFileBytes, type ParseResult, type ParseTask } from './parse-log-file.js';

/** Worker thread entry (see src/util/worker-pool.ts): one log file per message, one answer each. */
parentPort?.on('message', (task: ParseTask) => {
  let result: ParseResult;
  try {
    result = parseLogFileBytes(task);
  } catch (e) {
    // Anything the parse did not foresee (a record nested too deep to serialize) is the file's
    // failure, not the worker's: the worker lives on for the next file.
    result = { ok: false, code: 'DATA_INVALID', message: `${task.key} could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!result.ok) {
    parentPort!.postMessage(result);
    return;
  }
  const own = ownedWhole(result.archive);
  parentPort!.postMessage({ ...result, archive: own }, [own.buffer as ArrayBuffer, result.contents.buffer as ArrayBuffer, result.events.buffer as ArrayBuffer]);
});
