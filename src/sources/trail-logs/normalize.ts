import { createHash } from 'node:crypto';
import type { AuditEvent, Requester } from '../../model/audit-event.js';
import { AuditpackError } from '../../errors.js';
import { collapseRoute } from './route.js';
import { timestampMs } from './timestamp.js';

/**
 * One Trail Logs record (https://vidos.id/docs/reference/management/trail) → the normalized event. Operation is method + route with ids
 * collapsed; requester is the API key (request.auth) that made the call.
 */
export function normalizeTrailRecord(raw: unknown, sourceName: string): AuditEvent {
  if (!isObject(raw)) throw new AuditpackError('DATA_INVALID', 'a Trail Logs record is not a JSON object');
  const metadata = obj(raw.metadata);
  const request = obj(raw.request);
  const response = obj(raw.response);
  const time = timestampMs(raw.timestamp);
  if (time === null) {
    throw new AuditpackError('DATA_INVALID', `Trail Logs record ${str(metadata.id) ?? '(no id)'} has no usable timestamp`);
  }
  const method = (str(request.method) ?? 'UNKNOWN').toUpperCase();
  const path = str(request.path) ?? pathOf(str(request.originalUrl)) ?? '/';
  const route = collapseRoute(path);
  const status = num(response.statusCode);
  const headers = obj(request.headers);
  const service = str(metadata.service) ?? 'unknown';

  const attributes: Record<string, string> = { route, httpMethod: method };
  for (const [k, v] of [
    ['scope', metadata.scope],
    ['service', metadata.service],
    ['requestId', metadata.requestId],
    ['version', metadata.version],
    ['hostname', request.hostname],
    ['authMethod', obj(request.auth).method],
  ] as const) {
    const s = str(v);
    if (s !== undefined) attributes[k] = s;
  }

  const event: AuditEvent = {
    id: str(metadata.id) ?? contentHash(raw),
    time,
    source: sourceName,
    sourceType: 'trail-logs',
    service,
    operation: `${method} ${route}`,
    outcome: status !== undefined && status >= 400 ? 'failure' : 'success',
    responseCode: status !== undefined ? String(status) : 'unknown',
    requester: requesterOf(obj(request.auth)),
    resources: [{ id: path.split(/[?#]/, 1)[0] || '/', type: 'path' }],
    attributes,
  };
  const region = str(metadata.region);
  if (region) event.region = region;
  const account = str(raw.account_id);
  if (account) event.account = account;
  const ip = firstIp(header(headers, 'x-forwarded-for') ?? header(headers, 'x-real-ip'));
  if (ip) event.sourceIp = ip;
  const ua = header(headers, 'user-agent');
  if (ua) event.userAgent = ua;
  if (event.outcome === 'failure') {
    const message = errorMessageOf(response.body);
    if (message) event.errorMessage = message;
  }
  return event;
}

/**
 * The key as an identity: whole (a prefix is shared by every key of one algorithm, so a shortened
 * key cannot be matched to a key inventory), with PEM armour and line breaks removed so the same
 * key reads the same however it was wrapped.
 */
export function keyIdentity(key: string): string {
  return key.replace(/-----(BEGIN|END)[^-]*-----/g, '').replace(/\s+/g, '');
}

function requesterOf(auth: Record<string, unknown>): Requester {
  const method = str(auth.method);
  const key = str(auth.publicKey);
  if (key) return method ? { id: keyIdentity(key), type: method } : { id: keyIdentity(key) };
  return { id: method ? `${method}:unknown` : 'anonymous', type: method ?? 'none' };
}

function errorMessageOf(body: unknown): string | undefined {
  let b: unknown = body;
  if (typeof body === 'string') {
    try {
      b = JSON.parse(body);
    } catch {
      return body.trim() ? body.trim().slice(0, 200) : undefined;
    }
  }
  if (!isObject(b)) return undefined;
  const m = str(b.message) ?? str(b.error) ?? str(obj(b.error).message);
  return m?.slice(0, 200);
}

function header(headers: Record<string, unknown>, name: string): string | undefined {
  // Keys compared by length first: lower-casing every key of every record, three times, was a
  // fifth of normalizing one.
  for (const k in headers) {
    if (k.length !== name.length || !Object.hasOwn(headers, k) || k.toLowerCase() !== name) continue;
    const v = headers[k];
    return Array.isArray(v) ? str(v[0]) : str(v);
  }
  return undefined;
}

function firstIp(v: string | undefined): string | undefined {
  const ip = v?.split(',')[0]?.trim();
  return ip || undefined;
}

function pathOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, 'http://x').pathname;
  } catch {
    return undefined;
  }
}

export function contentHash(raw: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(raw)).digest('hex').slice(0, 32)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function obj(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}
function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}
function num(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}
