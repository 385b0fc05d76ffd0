import type { AuditEvent, ClientRef, Requester, ResourceRef } from '../model/audit-event.js';
import { compareEvents, type EventOrderKey } from '../model/event-order.js';
import type { Covers, RecordCodec, RecordReader, RecordWriter, SortKey } from './record-codec.js';

/** Every source type, by its number in a record (new ones at the end). A type missing here fails to compile (`allTypes`). */
const SOURCE_TYPES = ['smapi', 'cloudtrail', 'cloudtrail-files', 'trail-logs', 'amplitude', 'cloudtrail-athena'] as const satisfies readonly AuditEvent['sourceType'][];
const allTypes: Exclude<AuditEvent['sourceType'], (typeof SOURCE_TYPES)[number]> extends never ? true : false = true;
void allTypes;
const u = (v: string | null): string | undefined => (v === null ? undefined : v);

const covered: [
  Covers<AuditEvent, 'id' | 'time' | 'source' | 'sourceType' | 'service' | 'operation' | 'outcome' | 'responseCode' | 'requester' | 'client' | 'resources' | 'region' | 'account' | 'sourceIp' | 'userAgent' | 'errorMessage' | 'attributes' | 'details'>,
  Covers<Requester, 'id' | 'type' | 'name' | 'email'>,
  Covers<ClientRef, 'id' | 'name'>,
  Covers<ResourceRef, 'id' | 'type'>,
] = [true, true, true, true];
void covered;

/**
 * An event as a spill record (src/pipeline/record-codec.ts). A field added to AuditEvent, or to a
 * requester, client or resource, fails to compile above (`covered`) until it is written and read.
 */
export function encodeEvent(e: AuditEvent, w: RecordWriter): void {
  const { id, time, source, sourceType, service, operation, outcome, responseCode, requester, client, resources, region, account, sourceIp, userAgent, errorMessage, attributes, details } = e;
  w.str(id);
  w.f64(time);
  w.str(source);
  w.uint((SOURCE_TYPES as readonly string[]).indexOf(sourceType) * 2 + (outcome === 'failure' ? 1 : 0));
  w.str(service);
  w.str(operation);
  w.str(responseCode);
  w.str(requester.id);
  w.optStr(requester.type);
  w.optStr(requester.name);
  w.optStr(requester.email);
  // 0: no client; otherwise 1 + (id present) + 2 × (name present).
  w.uint(client ? 1 + (client.id !== undefined ? 1 : 0) + (client.name !== undefined ? 2 : 0) : 0);
  if (client?.id !== undefined) w.str(client.id);
  if (client?.name !== undefined) w.str(client.name);
  w.uint(resources.length);
  for (const r of resources) {
    w.str(r.id);
    w.optStr(r.type);
  }
  w.optStr(region);
  w.optStr(account);
  w.optStr(sourceIp);
  w.optStr(userAgent);
  w.optStr(errorMessage);
  w.strMap(attributes);
  // 0: no details; otherwise 1 + the number of facts, each name, value, before (optional).
  w.uint(details ? details.length + 1 : 0);
  for (const d of details ?? []) {
    w.str(d.name);
    w.str(d.value);
    w.optStr(d.before);
  }
}

export function decodeEvent(r: RecordReader): AuditEvent {
  const id = r.uniqueStr();
  const time = r.f64();
  const source = r.str();
  const kind = r.uint();
  const e: AuditEvent = {
    id, time, source, sourceType: SOURCE_TYPES[kind >> 1], service: r.str(), operation: r.str(), outcome: kind & 1 ? 'failure' : 'success', responseCode: r.str(),
    requester: { id: r.str(), type: u(r.optStr()), name: u(r.optStr()), email: u(r.optStr()) },
    resources: [],
  };
  const client = r.uint() - 1;
  if (client >= 0) e.client = { id: client & 1 ? r.str() : undefined, name: client & 2 ? r.str() : undefined };
  for (let n = r.uint(); n > 0; n--) e.resources.push({ id: r.str(), type: u(r.optStr()) });
  e.region = u(r.optStr());
  e.account = u(r.optStr());
  e.sourceIp = u(r.optStr());
  e.userAgent = u(r.optStr());
  e.errorMessage = u(r.optStr());
  e.attributes = r.strMap() ?? undefined;
  const facts = r.uint();
  if (facts > 0) {
    e.details = [];
    for (let n = facts - 1; n > 0; n--) {
      const name = r.str();
      const value = r.str();
      const before = r.optStr();
      e.details.push(before === null ? { name, value } : { name, value, before });
    }
  }
  return e;
}

/**
 * Only the fields of the canonical order (src/model/event-order.ts), which are the record's first:
 * what a sort holds of each event while it sorts a run, instead of the whole event.
 */
export function decodeEventKey(r: RecordReader): EventOrderKey {
  const id = r.uniqueStr();
  const time = r.f64();
  const source = r.str();
  r.uint();
  const service = r.str();
  const operation = r.str();
  const responseCode = r.str();
  return { id, time, source, service, operation, responseCode, requester: { id: r.str() } };
}

export const eventCodec: RecordCodec<AuditEvent> = { encode: encodeEvent, decode: decodeEvent };

/** How the spill sorts events: by the canonical order, holding only its fields. */
export const eventSortKey: SortKey<EventOrderKey> = {
  decode: decodeEventKey,
  compare: compareEvents,
  // The time, the canonical order's first field, is the record's second (after the id).
  primary(r) {
    r.skipStr();
    return r.f64();
  },
};
