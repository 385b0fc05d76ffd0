/**
 * EVERYTHING about the Amplitude Audit Logs wire format that is NOT documented lives here
 * (response field names, pagination cursor, limit bounds, error shape and wording).
 * https://amplitude.com/docs/apis/audit-logs documents only the request: start_date, end_date, filters{domain, feature, action},
 * pagination{limit}.
 *
 * The scheme assumed (and played by the emulator, see docs/sources/amplitude.md):
 *   request   {..., pagination: {limit, cursor?}}
 *   response  {events: [record...], next_cursor: string | null}
 *   record    {id, timestamp, domain, feature, action, target, user_email, org_id, project_id,
 *              ip_address, user_agent, event_properties, error}
 * Readers accept the common alternatives (camelCase, data/logs arrays, nested pagination) so a
 * live answer that differs a little still reads; when it differs a lot, change this file only.
 */
import { AuditpackError } from '../../errors.js';

export interface AmplitudeQuery {
  startDate: string;
  endDate: string;
  filters?: { domain?: string; feature?: string; action?: string };
  limit: number;
  cursor?: string;
}

export function requestBody(q: AmplitudeQuery): Record<string, unknown> {
  const body: Record<string, unknown> = { start_date: q.startDate, end_date: q.endDate };
  if (q.filters && Object.keys(q.filters).length) body.filters = q.filters;
  body.pagination = q.cursor === undefined ? { limit: q.limit } : { limit: q.limit, cursor: q.cursor };
  return body;
}

export interface AmplitudePage {
  records: unknown[];
  /** Undefined on the last page. */
  cursor?: string;
}

const ARRAY_KEYS = ['events', 'data', 'audit_logs', 'auditLogs', 'logs', 'results', 'items'];
const CURSOR_KEYS = ['next_cursor', 'nextCursor', 'cursor', 'next', 'next_page_token', 'nextPageToken'];

/** The key of the answer's list of events (undefined for an answer that is the list itself, or has none). */
export function recordsKey(body: unknown): string | undefined {
  const b = isObject(body) ? body : {};
  return ARRAY_KEYS.find((k) => Array.isArray(b[k]));
}

export function readPage(body: unknown): AmplitudePage {
  const b = isObject(body) ? body : {};
  const key = recordsKey(body);
  if (Array.isArray(body)) return { records: body };
  if (key === undefined) {
    throw new AuditpackError('HTTP_BAD_BODY', `the Amplitude answer has no list of events (keys: ${Object.keys(b).slice(0, 10).join(', ') || 'none'})`, {
      hint: 'the response shape is undocumented; match src/sources/amplitude/response-adapter.ts to the live API',
    });
  }
  const nested = isObject(b.pagination) ? b.pagination : isObject(b.paging) ? b.paging : {};
  const cursor = [...CURSOR_KEYS.map((k) => b[k]), ...CURSOR_KEYS.map((k) => nested[k])].find((v) => typeof v === 'string' && v !== '');
  return cursor === undefined ? { records: b[key] as unknown[] } : { records: b[key] as unknown[], cursor: cursor as string };
}

/** The fields Amplitude's UI shows for an audit event (https://amplitude.com/docs/admin/audit-log), read from one record. */
export interface AmplitudeFields {
  id?: string;
  timestamp?: unknown;
  domain?: string;
  feature?: string;
  action?: string;
  /** A plain id/name, or an object's id and type. */
  target?: { id: string; type?: string };
  userEmail?: string;
  userId?: string;
  orgId?: string;
  projectId?: string;
  ip?: string;
  userAgent?: string;
  /** Present when the record says an error happened; a message or code where it gives one. */
  error?: string;
  properties: Record<string, unknown>;
}

export function readRecord(raw: unknown): AmplitudeFields {
  const r = isObject(raw) ? raw : {};
  const user = isObject(r.user) ? r.user : {};
  const f: AmplitudeFields = {
    id: str(pick(r, 'id', 'event_id', 'eventId', 'uuid', 'audit_log_id')),
    timestamp: pick(r, 'timestamp', 'event_time', 'eventTime', 'time', 'created_at', 'createdAt'),
    domain: str(pick(r, 'domain')),
    feature: str(pick(r, 'feature')),
    action: str(pick(r, 'action')),
    userEmail: str(pick(r, 'user_email', 'userEmail', 'email') ?? pick(user, 'email')),
    userId: str(pick(r, 'user_id', 'userId') ?? pick(user, 'id')),
    orgId: str(pick(r, 'org_id', 'orgId', 'organization_id')),
    projectId: str(pick(r, 'project_id', 'projectId', 'app_id', 'appId')),
    ip: str(pick(r, 'ip_address', 'ip', 'ipAddress', 'ip_addr')),
    userAgent: str(pick(r, 'user_agent', 'userAgent')),
    properties: isObject(pick(r, 'event_properties', 'eventProperties', 'properties')) ? (pick(r, 'event_properties', 'eventProperties', 'properties') as Record<string, unknown>) : {},
  };
  const target = pick(r, 'target', 'target_id', 'targetId');
  if (isObject(target)) {
    const id = str(pick(target, 'id', 'name', 'email'));
    if (id) f.target = { id, type: str(pick(target, 'type')) };
  } else if (str(target)) {
    f.target = { id: str(target) as string, type: str(pick(r, 'target_type', 'targetType')) };
  }
  const error = pick(r, 'error', 'error_message', 'errorMessage');
  if (isObject(error)) f.error = str(pick(error, 'message', 'code', 'type')) ?? 'error';
  else if (typeof error === 'string' && error.trim() !== '') f.error = error.trim();
  else if (error === true) f.error = 'error';
  return f;
}

/** A 400 that refuses the page cursor (expired, or not of this query): the window can start again. */
export function isCursorRefusal(status: number, message: string): boolean {
  return status === 400 && /cursor|pagination|token/i.test(message);
}

/** A refusal because the dates are past the 90-day retention (https://amplitude.com/docs/apis/audit-logs), as opposed to any other 400. */
export function isRetentionRefusal(message: string): boolean {
  return /retention|retain|90 days|too old/i.test(message);
}

/** The message of an error answer: {error}, {message}, {error: {message}}, {errors: [...]} (shape undocumented). */
export function readErrorMessage(body: unknown): string {
  if (typeof body === 'string' && body.trim()) return oneLine(body);
  if (isObject(body)) {
    const m = pick(body, 'error', 'message', 'detail', 'errors');
    if (typeof m === 'string') return oneLine(m);
    if (isObject(m)) return oneLine(str(pick(m, 'message', 'code')) ?? JSON.stringify(m));
    if (Array.isArray(m)) return oneLine(m.map((e) => (isObject(e) ? (str(e.message) ?? JSON.stringify(e)) : String(e))).join('; '));
  }
  return 'no message';
}

function pick(o: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Epoch ms from the record's timestamp: ISO 8601 (a zone-less one is UTC, as Amplitude's other
 * export APIs write "2026-01-05 10:11:12.123000"), or a number of seconds or milliseconds.
 */
export function readTime(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return Math.round(v < 1e11 ? v * 1000 : v);
  if (typeof v !== 'string' || v.trim() === '') return null;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return readTime(Number(s));
  const zoneless = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(s);
  const t = Date.parse(zoneless ? `${s.replace(' ', 'T')}${s.length > 10 ? 'Z' : 'T00:00:00Z'}` : s);
  return Number.isNaN(t) ? null : t;
}
