import { createHash } from 'node:crypto';
import type { EmuResponse } from '../kit/server.js';
import { awsJson, commonError, modeledError } from './aws-json.js';
import type { SeededEvent } from './seed-events.js';

export const RETENTION_MS = 90 * 86_400_000;

/** The eight keys LookupEvents accepts (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html). */
const LOOKUP_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'] as const;
export type LookupKey = (typeof LOOKUP_KEYS)[number];

export interface LookupAttribute {
  key: LookupKey;
  value: string;
}

/** Query state a NextToken is bound to, plus where the next page starts. */
interface TokenState {
  /** Token generation: `expireTokens()` bumps it and every older token becomes invalid. */
  g: number;
  /** Hash of the request parameters the token is valid with. */
  h: string;
  /** Resolved inclusive bounds, epoch ms. */
  s: number;
  e: number;
  /** Offset of the next event in the filtered list. */
  o: number;
}

export interface LookupContext {
  account: string;
  region: string;
  now: number;
  tokenGeneration: number;
  /** Events of this account and region, newest first. */
  events: readonly SeededEvent[];
}

/** The `Events[]` item LookupEvents returns for a stored event (EventTime in epoch seconds). */
export function toLookupItem(e: SeededEvent): Record<string, unknown> {
  const item: Record<string, unknown> = {
    EventId: e.id,
    EventName: e.eventName,
    ReadOnly: String(e.readOnly),
  };
  if (e.accessKeyId) item.AccessKeyId = e.accessKeyId;
  item.EventTime = e.time / 1000;
  item.EventSource = e.eventSource;
  if (e.username) item.Username = e.username;
  item.Resources = e.resources;
  item.CloudTrailEvent = JSON.stringify(e.record);
  return item;
}

/** Whether a stored event matches one lookup attribute. */
export function matchesLookup(e: SeededEvent, attr: LookupAttribute | undefined): boolean {
  if (!attr) return true;
  switch (attr.key) {
    case 'EventId':
      return e.id === attr.value;
    case 'EventName':
      return e.eventName === attr.value;
    case 'ReadOnly':
      return String(e.readOnly) === attr.value.toLowerCase();
    case 'Username':
      return e.username === attr.value;
    case 'ResourceType':
      return e.resources.some((r) => r.ResourceType === attr.value);
    case 'ResourceName':
      return e.resources.some((r) => r.ResourceName === attr.value);
    case 'EventSource':
      return e.eventSource === attr.value;
    case 'AccessKeyId':
      return e.accessKeyId === attr.value;
  }
}

/**
 * LookupEvents (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html): StartTime and EndTime inclusive, epoch seconds (fractions allowed,
 * as newer SDKs send milliseconds); at most one lookup attribute; MaxResults 1..50, default 50;
 * newest first; a NextToken only valid with exactly the same parameters; 90 days retained.
 */
export function lookupEvents(body: string, ctx: LookupContext): EmuResponse {
  let req: Record<string, unknown>;
  try {
    const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    req = parsed as Record<string, unknown>;
  } catch {
    return commonError('SerializationException', 'Start of structure or map found where not expected.');
  }

  const start = readTime(req.StartTime, 'StartTime');
  if (typeof start === 'object') return start;
  const end = readTime(req.EndTime, 'EndTime');
  if (typeof end === 'object') return end;

  let attr: LookupAttribute | undefined;
  if (req.LookupAttributes !== undefined && req.LookupAttributes !== null) {
    if (!Array.isArray(req.LookupAttributes)) return commonError('SerializationException', 'Expected list for LookupAttributes.');
    if (req.LookupAttributes.length > 1) {
      return modeledError('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
    }
    if (req.LookupAttributes.length === 1) {
      const a = req.LookupAttributes[0] as Record<string, unknown> | null;
      const key = a?.AttributeKey;
      const value = a?.AttributeValue;
      if (typeof key !== 'string' || !(LOOKUP_KEYS as readonly string[]).includes(key)) {
        return modeledError('InvalidLookupAttributesException', `Invalid lookup attribute key: ${String(key)}. Valid keys: ${LOOKUP_KEYS.join(', ')}.`);
      }
      if (typeof value !== 'string' || value.length < 1 || value.length > 2000) {
        return modeledError('InvalidLookupAttributesException', 'The lookup attribute value must be between 1 and 2000 characters.');
      }
      attr = { key: key as LookupKey, value };
    }
  }

  let maxResults = 50;
  if (req.MaxResults !== undefined && req.MaxResults !== null) {
    if (typeof req.MaxResults !== 'number' || !Number.isInteger(req.MaxResults) || req.MaxResults < 1 || req.MaxResults > 50) {
      return modeledError('InvalidMaxResultsException', 'MaxResults must be an integer between 1 and 50.');
    }
    maxResults = req.MaxResults;
  }

  const category = req.EventCategory;
  if (category !== undefined && category !== null && category !== 'insight') {
    return modeledError('InvalidEventCategoryException', `Invalid event category: ${String(category)}.`);
  }

  const hash = createHash('sha256')
    .update(JSON.stringify([ctx.account, ctx.region, req.StartTime ?? null, req.EndTime ?? null, attr ?? null, category ?? null]))
    .digest('hex')
    .slice(0, 24);

  let state: TokenState;
  if (req.NextToken !== undefined && req.NextToken !== null) {
    const decoded = typeof req.NextToken === 'string' ? decodeToken(req.NextToken) : null;
    if (!decoded || decoded.g !== ctx.tokenGeneration || decoded.h !== hash) {
      return modeledError('InvalidNextTokenException', 'Invalid NextToken: it has expired or was issued for different parameters.');
    }
    state = decoded;
  } else {
    const s = start ?? ctx.now - RETENTION_MS;
    const e = end ?? ctx.now;
    if (s > e) return modeledError('InvalidTimeRangeException', 'Start time must be earlier than or equal to end time.');
    state = { g: ctx.tokenGeneration, h: hash, s, e, o: 0 };
  }

  // Insight events are not emulated: an insight query is valid and finds nothing.
  const horizon = ctx.now - RETENTION_MS;
  const matching =
    category === 'insight'
      ? []
      : ctx.events.filter((ev) => ev.time >= state.s && ev.time <= state.e && ev.time >= horizon && ev.time <= ctx.now && matchesLookup(ev, attr));
  const page = matching.slice(state.o, state.o + maxResults);
  const next = state.o + page.length;
  const out: Record<string, unknown> = { Events: page.map(toLookupItem) };
  if (next < matching.length) out.NextToken = encodeToken({ ...state, o: next });
  return awsJson(200, out);
}

function readTime(v: unknown, field: string): number | undefined | EmuResponse {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    return commonError('SerializationException', `${field} must be a timestamp in epoch seconds.`);
  }
  return Math.round(v * 1000);
}

function encodeToken(t: TokenState): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(s: string): TokenState | null {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Partial<TokenState>;
    if (typeof t.g === 'number' && typeof t.h === 'string' && typeof t.s === 'number' && typeof t.e === 'number' && typeof t.o === 'number' && t.o >= 0) {
      return t as TokenState;
    }
  } catch {
    // fall through
  }
  return null;
}
