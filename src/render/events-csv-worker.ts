import { parentPort, workerData } from 'node:worker_threads';
import type { AuditEvent } from '../model/audit-event.js';
import { compareEvents } from '../model/event-order.js';
import { eventCodec, eventSortKey } from '../pipeline/event-codec.js';
import { CHUNK, readRecords, rowReading, sortingRead } from '../pipeline/spill-store.js';
import type { EventsCsvMessage, EventsCsvTask } from './events-csv-thread.js';
import { writeEventsCsv } from './events-csv.js';

/** Worker thread entry (events-csv-thread.ts): one task, given as workerData. */
const task = workerData as EventsCsvTask;
const say = (m: EventsCsvMessage) => parentPort!.postMessage(m);

function* rows(): Generator<AuditEvent> {
  // The spill's own reading of events (run-pipeline.ts), so the order is the same.
  const reading = rowReading(eventCodec, eventSortKey, compareEvents);
  for (const b of task.buckets) {
    if (b.sorted) {
      for (const r of readRecords(b.file, CHUNK, true)) yield reading.row(r, null);
      continue;
    }
    // Said as soon as the file is in order, so the Events sheet's read of it need not wait for these rows.
    yield* sortingRead(b.file, `${b.file}.csv`, reading, b.runRows, () => say({ kind: 'sorted', file: b.file }));
  }
}

try {
  const { rows: n } = await writeEventsCsv(rows(), task.timeZone, task.path);
  say({ kind: 'done', rows: n });
} catch (e) {
  say({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
}
