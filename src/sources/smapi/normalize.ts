import { AuditpackError } from '../../errors.js';
import type { AuditEvent, ResourceRef } from '../../model/audit-event.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * One `auditLogs[]` record (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html, "Response body fields") to the normalized
 * event. Required fields missing or malformed: DATA_INVALID, which the pipeline records against
 * the window without dropping the rest of the page.
 */
export function normalizeSmapiRecord(raw: unknown, sourceName: string): AuditEvent {
  if (!isObj(raw)) throw invalid('record is not an object');
  const id = str(raw.xAmznRequestId);
  if (!id) throw invalid('record has no xAmznRequestId');
  const time = parseTimestamp(raw.timestamp);
  if (time === undefined) throw invalid(`record ${id} has no valid timestamp`);
  const op = isObj(raw.operation) ? raw.operation : undefined;
  const name = str(op?.name);
  const version = str(op?.version);
  if (!name) throw invalid(`record ${id} has no operation.name`);
  const code = parseCode(raw.httpResponseCode);
  if (code === undefined) throw invalid(`record ${id} has no valid httpResponseCode`);
  const requesterId = isObj(raw.requester) ? str(raw.requester.userId) : undefined;
  if (!requesterId) throw invalid(`record ${id} has no requester.userId`);

  const event: AuditEvent = {
    id,
    time,
    source: sourceName,
    sourceType: 'smapi',
    service: 'smapi',
    // "publishSkill.v1": the version matters (a v0 call from an old tool is worth seeing).
    operation: version ? `${name}.${version}` : name,
    outcome: code >= 400 ? 'failure' : 'success',
    responseCode: String(code),
    requester: { id: requesterId },
    resources: parseResources(raw.resources),
    attributes: version ? { operationName: name, operationVersion: version } : { operationName: name },
  };
  if (isObj(raw.client)) {
    const clientId = str(raw.client.id);
    const clientName = str(raw.client.name);
    if (clientId && clientName) event.client = { id: clientId, name: clientName };
    else if (clientId) event.client = { id: clientId };
    else if (clientName) event.client = { name: clientName };
  }
  const userAgent = str(raw.userAgent);
  if (userAgent) event.userAgent = userAgent;
  return event;
}

/** A record's `timestamp` in epoch ms; undefined when missing or unreadable. */
export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return undefined;
  // The common case, "2026-10-01T08:15:00.000Z" (a digit first, Z last): no trimming, no pattern.
  if (v.length >= 20 && v.charCodeAt(v.length - 1) === 0x5a && v.charCodeAt(0) >= 0x30 && v.charCodeAt(0) <= 0x39) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  if (v.trim() === '') return undefined;
  // The documentation's examples show "2019-06-03T22:58:24.0Z" (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html); a timestamp without a zone is taken as UTC, never local time.
  const s = HAS_ZONE.test(v.trim()) ? v.trim() : `${v.trim()}Z`;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function parseCode(v: unknown): number | undefined {
  // An integer per https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html; a numeric string is accepted rather than losing the record.
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

function parseResources(v: unknown): ResourceRef[] {
  if (!Array.isArray(v)) return [];
  const out: ResourceRef[] = [];
  for (const r of v) {
    if (!isObj(r)) continue;
    const id = str(r.id) ?? '';
    const type = str(r.type);
    // The documented example response has {"id": "", "type": "Catalog"}: the type alone still says what was touched.
    if (id === '' && !type) continue;
    out.push(type ? { id, type } : { id });
  }
  return out;
}

function invalid(message: string): AuditpackError {
  return new AuditpackError('DATA_INVALID', `SMAPI ${message}`, { hint: 'the record is kept in the raw archive; report it if it keeps happening' });
}
