import { parentPort, workerData } from 'node:worker_threads';
import type { AuditEvent } from '../model/audit-event.js';
import { compareEvents } from '../model/event-order.js';
import { eventCodec } from '../pipeline/event-codec.js';
import { createRecordReader } from '../pipeline/record-codec.js';
import { CHUNK, HEADER, readRecords, sortingRead, type RecordSpan } from '../pipeline/spill-store.js';
import type { EventsCsvMessage, EventsCsvTask } from './events-csv-thread.js';
import { writeEventsCsv } from './events-csv.js';

/** Worker thread entry (events-csv-thread.ts): one task, given as workerData. */
const task = workerData as EventsCsvTask;
const say = (m: EventsCsvMessage) => parentPort!.postMessage(m);

function* rows(): Generator<AuditEvent> {
  const reader = createRecordReader();
  const rowOf = (r: RecordSpan): AuditEvent => {
    reader.load(r.buf, r.start + HEADER);
    return eventCodec.decode(reader);
  };
  for (const b of task.buckets) {
    if (b.sorted) {
      for (const r of readRecords(b.file, CHUNK)) yield rowOf(r);
      continue;
    }
    yield* sortingRead(b.file, `${b.file}.csv`, rowOf, compareEvents, b.runRows);
    say({ kind: 'sorted', file: b.file });
  }
}

try {
  const { rows: n } = await writeEventsCsv(rows(), task.timeZone, task.path);
  say({ kind: 'done', rows: n });
} catch (e) {
  say({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
}
