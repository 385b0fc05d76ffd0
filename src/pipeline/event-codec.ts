import type { AuditEvent } from '../model/audit-event.js';

/**
 * The spill file's row for an event: a positional array. Without the keys, a million events take
 * about half the bytes and JSON time of keyed objects.
 */
export type EventRow = [
  string, number, string, AuditEvent['sourceType'], string, string, 0 | 1, string,
  string, string | null, string | null, string | null, string | null, string | null,
  [string, string | null][], string | null, string | null, string | null, string | null, string | null,
  Record<string, string> | null,
];

const n = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
const u = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function encodeEvent(e: AuditEvent): EventRow {
  return [
    e.id, e.time, e.source, e.sourceType, e.service, e.operation, e.outcome === 'failure' ? 1 : 0, e.responseCode,
    e.requester.id, n(e.requester.type), n(e.requester.name), n(e.requester.email), n(e.client?.id), n(e.client?.name),
    e.resources.map((r) => [r.id, n(r.type)]), n(e.region), n(e.account), n(e.sourceIp), n(e.userAgent), n(e.errorMessage),
    n(e.attributes),
  ];
}

export function decodeEvent(r: EventRow): AuditEvent {
  const e: AuditEvent = {
    id: r[0], time: r[1], source: r[2], sourceType: r[3], service: r[4], operation: r[5], outcome: r[6] ? 'failure' : 'success', responseCode: r[7],
    requester: { id: r[8], type: u(r[9]), name: u(r[10]), email: u(r[11]) },
    resources: r[14].map(([id, type]) => ({ id, type: u(type) })),
    region: u(r[15]), account: u(r[16]), sourceIp: u(r[17]), userAgent: u(r[18]), errorMessage: u(r[19]), attributes: u(r[20]),
  };
  if (r[12] !== null || r[13] !== null) e.client = { id: u(r[12]), name: u(r[13]) };
  return e;
}
