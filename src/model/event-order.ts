import type { AuditEvent } from './audit-event.js';

/** The fields the canonical order reads: what a sort needs to hold of each event (src/pipeline/event-codec.ts decodes just these). */
export type EventOrderKey = Pick<AuditEvent, 'time' | 'source' | 'id' | 'operation' | 'responseCode' | 'service'> & { requester: Pick<AuditEvent['requester'], 'id'> };

/**
 * The canonical order of events: the order of the Events sheet, of events.csv.gz, and the order
 * sample positions count in (src/rules/sampling.ts, method v2). Defined by plain columns so a SQL
 * engine can number the same population the same way:
 *
 *   ORDER BY time_ms, source, event_id, operation, requester_id, response_code, service
 *
 * time_ms is the event time in epoch milliseconds (UTC); the texts are compared ordinally (by
 * UTF-16 code unit, which is byte order for the ASCII of ids and names). Event ids are unique
 * within a source, so the keys after event_id only decide between records that reuse an id.
 */
export function compareEvents(a: EventOrderKey, b: EventOrderKey): number {
  return (
    a.time - b.time ||
    ordinal(a.source, b.source) ||
    ordinal(a.id, b.id) ||
    ordinal(a.operation, b.operation) ||
    ordinal(a.requester.id, b.requester.id) ||
    ordinal(a.responseCode, b.responseCode) ||
    ordinal(a.service, b.service)
  );
}

export function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
