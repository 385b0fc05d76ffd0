import { lowerBound, NO_RESOURCE, upperBound, type SmapiDataset, type SmapiResourceType } from './dataset.js';
import { OPERATION_VARIANTS } from './operations.js';
import { SMAPI_CLIENTS, SMAPI_REQUESTERS } from './identities.js';

/** Request filters as the API takes them (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html, "Request parameters"). */
export interface SmapiRequestFilters {
  operations?: { name: string; version: string }[];
  resources?: { id?: string; type?: string }[];
  requesters?: { userId: string }[];
  clients?: { id: string }[];
  httpResponseCodes?: string[];
}

const SORT_FIELDS = ['timestamp', 'operation', 'resource.id', 'resource.type', 'requester.userId', 'client.id', 'httpResponseCode'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
const RESOURCE_TYPES: readonly SmapiResourceType[] = ['Skill', 'InSkillProduct', 'SkillCatalog', 'Import', 'Export'];

export interface ParsedQuery {
  vendorId: string;
  filters: SmapiRequestFilters;
  startTime?: number;
  endTime?: number;
  sortDirection: 'ASC' | 'DESC';
  sortField: SortField;
  maxResults: number;
  nextToken?: string;
  /** Canonical text of everything a nextToken is bound to (all but the pagination context). */
  key: string;
}

export interface Violation {
  code: string;
  message: string;
}

export type ParseResult = { ok: true; query: ParsedQuery } | { ok: false; message: string; violations: Violation[] };

/** maxResults bounds (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html: default 50, schema max 200; larger values are clamped, not rejected). */
const DEFAULT_MAX_RESULTS = 50;
const MAX_RESULTS_LIMIT = 200;
const MAX_NEXT_TOKEN = 2047;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Validates a request body the way the API's model describes it; every problem becomes a violation. */
export function parseQueryBody(text: string, opts: { clampMaxResults: boolean } = { clampMaxResults: true }): ParseResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, message: 'The request body is not valid JSON.', violations: [{ code: 'MALFORMED_REQUEST', message: 'body must be a JSON object' }] };
  }
  if (!isObj(body)) return { ok: false, message: 'The request body must be a JSON object.', violations: [{ code: 'MALFORMED_REQUEST', message: 'body must be a JSON object' }] };
  const v: Violation[] = [];
  const bad = (message: string, code = 'INVALID_REQUEST_PARAMETER') => v.push({ code, message });
  unknownKeys(body, ['vendorId', 'requestFilters', 'sortDirection', 'sortField', 'paginationContext'], '', bad);

  const vendorId = body.vendorId;
  if (vendorId === undefined || vendorId === null || vendorId === '') bad('vendorId is required and must not be empty', 'MISSING_PARAMETER');
  else if (typeof vendorId !== 'string') bad('vendorId must be a string');
  else if (vendorId.length > 255) bad('vendorId must be at most 255 characters long');

  const filters: SmapiRequestFilters = {};
  let startTime: number | undefined;
  let endTime: number | undefined;
  const rf = body.requestFilters;
  if (rf !== undefined && rf !== null) {
    if (!isObj(rf)) bad('requestFilters must be an object');
    else {
      unknownKeys(rf, ['operations', 'resources', 'requesters', 'clients', 'httpResponseCodes', 'startTime', 'endTime'], 'requestFilters.', bad);
      filters.operations = list(rf.operations, 'requestFilters.operations', bad, (item, at) => {
        const name = item.name;
        const version = item.version;
        unknownKeys(item, ['name', 'version'], `${at}.`, bad);
        if (!nonEmpty(name) && !nonEmpty(version)) {
          bad(`${at} needs name and version`);
          return undefined;
        }
        // https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html: name is "required if you specify operations[*].version", and the other way round.
        if (!nonEmpty(name)) {
          bad(`${at}.name is required when ${at}.version is given`);
          return undefined;
        }
        if (!nonEmpty(version)) {
          bad(`${at}.version is required when ${at}.name is given`);
          return undefined;
        }
        return { name, version };
      });
      filters.resources = list(rf.resources, 'requestFilters.resources', bad, (item, at) => {
        unknownKeys(item, ['id', 'type'], `${at}.`, bad);
        const id = item.id;
        const type = item.type;
        if (id !== undefined && !nonEmpty(id)) {
          bad(`${at}.id must be a non-empty string`);
          return undefined;
        }
        if (type !== undefined && !(typeof type === 'string' && (RESOURCE_TYPES as readonly string[]).includes(type))) {
          bad(`${at}.type must be one of ${RESOURCE_TYPES.join(', ')}`);
          return undefined;
        }
        if (id === undefined && type === undefined) {
          bad(`${at} needs an id or a type`);
          return undefined;
        }
        return { ...(id !== undefined ? { id: id as string } : {}), ...(type !== undefined ? { type: type as string } : {}) };
      });
      filters.requesters = list(rf.requesters, 'requestFilters.requesters', bad, (item, at) => {
        unknownKeys(item, ['userId'], `${at}.`, bad);
        if (nonEmpty(item.userId)) return { userId: item.userId };
        bad(`${at}.userId is required`);
        return undefined;
      });
      filters.clients = list(rf.clients, 'requestFilters.clients', bad, (item, at) => {
        unknownKeys(item, ['id'], `${at}.`, bad);
        if (nonEmpty(item.id)) return { id: item.id };
        bad(`${at}.id is required`);
        return undefined;
      });
      if (rf.httpResponseCodes !== undefined && rf.httpResponseCodes !== null) {
        if (!Array.isArray(rf.httpResponseCodes)) bad('requestFilters.httpResponseCodes must be an array of strings');
        else {
          const codes: string[] = [];
          rf.httpResponseCodes.forEach((c: unknown, i: number) => {
            // https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html: "List of strings specifying the response codes" — a number is a type error.
            if (typeof c !== 'string' || !/^\d{3}$/.test(c)) bad(`requestFilters.httpResponseCodes[${i}] must be a string such as "403"`);
            else codes.push(c);
          });
          filters.httpResponseCodes = codes;
        }
      }
      startTime = time(rf.startTime, 'requestFilters.startTime', bad);
      endTime = time(rf.endTime, 'requestFilters.endTime', bad);
      if (startTime !== undefined && endTime !== undefined && startTime > endTime) bad('requestFilters.startTime must not be after requestFilters.endTime');
    }
  }
  for (const k of Object.keys(filters) as (keyof SmapiRequestFilters)[]) if (filters[k] === undefined) delete filters[k];

  let sortDirection: 'ASC' | 'DESC' = 'DESC';
  if (body.sortDirection !== undefined && body.sortDirection !== null) {
    if (body.sortDirection === 'ASC' || body.sortDirection === 'DESC') sortDirection = body.sortDirection;
    else bad('sortDirection must be ASC or DESC');
  }
  let sortField: SortField = 'timestamp';
  if (body.sortField !== undefined && body.sortField !== null) {
    if (typeof body.sortField === 'string' && (SORT_FIELDS as readonly string[]).includes(body.sortField)) sortField = body.sortField as SortField;
    else bad(`sortField must be one of ${SORT_FIELDS.join(', ')}`);
  }

  let maxResults = DEFAULT_MAX_RESULTS;
  let nextToken: string | undefined;
  const pc = body.paginationContext;
  if (pc !== undefined && pc !== null) {
    if (!isObj(pc)) bad('paginationContext must be an object');
    else {
      unknownKeys(pc, ['nextToken', 'maxResults'], 'paginationContext.', bad);
      if (pc.maxResults !== undefined && pc.maxResults !== null) {
        // The documented parameter table types maxResults as String, the SDK model as an integer: accept both spellings.
        const m = typeof pc.maxResults === 'string' && /^-?\d+$/.test(pc.maxResults) ? Number(pc.maxResults) : pc.maxResults;
        if (typeof m !== 'number' || !Number.isInteger(m)) bad('paginationContext.maxResults must be an integer');
        else if (m < 1) bad('paginationContext.maxResults must be at least 1');
        else if (m > MAX_RESULTS_LIMIT && !opts.clampMaxResults) bad(`paginationContext.maxResults must be at most ${MAX_RESULTS_LIMIT}`);
        else maxResults = Math.min(m, MAX_RESULTS_LIMIT);
      }
      if (pc.nextToken !== undefined && pc.nextToken !== null) {
        if (typeof pc.nextToken !== 'string' || pc.nextToken === '') bad('paginationContext.nextToken must be a non-empty string');
        else if (pc.nextToken.length > MAX_NEXT_TOKEN) bad(`paginationContext.nextToken must be at most ${MAX_NEXT_TOKEN} characters`);
        else nextToken = pc.nextToken;
      }
    }
  }

  if (v.length > 0) return { ok: false, message: 'The request is not valid.', violations: v };
  const query: Omit<ParsedQuery, 'key'> = {
    vendorId: vendorId as string,
    filters,
    startTime,
    endTime,
    sortDirection,
    sortField,
    maxResults,
    nextToken,
  };
  const key = JSON.stringify([query.vendorId, filters, startTime ?? null, endTime ?? null, sortDirection, sortField]);
  return { ok: true, query: { ...query, key } };
}

function unknownKeys(o: Obj, allowed: readonly string[], prefix: string, bad: (m: string) => void): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(`${prefix}${k} is not a known parameter`);
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

function list<T>(value: unknown, at: string, bad: (m: string) => void, item: (o: Obj, at: string) => T | undefined): T[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    bad(`${at} must be an array`);
    return undefined;
  }
  const out: T[] = [];
  value.forEach((x: unknown, i: number) => {
    if (!isObj(x)) return bad(`${at}[${i}] must be an object`);
    const r = item(x, `${at}[${i}]`);
    if (r !== undefined) out.push(r);
  });
  return out;
}

function time(value: unknown, at: string, bad: (m: string) => void): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !ISO.test(value) || Number.isNaN(Date.parse(value))) {
    bad(`${at} must be an ISO 8601 timestamp such as 2019-06-01T22:58:24.0Z`);
    return undefined;
  }
  return Date.parse(value);
}

/** A predicate over data-set indexes for the request filters: OR within one filter, AND across filters. */
export function compileFilter(ds: SmapiDataset, f: SmapiRequestFilters): (i: number) => boolean {
  const checks: ((i: number) => boolean)[] = [];
  if (f.operations && f.operations.length > 0) {
    const ok = new Uint8Array(OPERATION_VARIANTS.length);
    OPERATION_VARIANTS.forEach((v, k) => {
      if (f.operations?.some((o) => o.name === v.name && o.version === v.version)) ok[k] = 1;
    });
    checks.push((i) => ok[ds.op[i]] === 1);
  }
  if (f.requesters && f.requesters.length > 0) {
    const ok = new Uint8Array(SMAPI_REQUESTERS.length);
    SMAPI_REQUESTERS.forEach((r, k) => {
      if (f.requesters?.some((q) => q.userId === r.userId)) ok[k] = 1;
    });
    checks.push((i) => ok[ds.requester[i]] === 1);
  }
  if (f.clients && f.clients.length > 0) {
    const ok = new Uint8Array(SMAPI_CLIENTS.length);
    SMAPI_CLIENTS.forEach((c, k) => {
      if (f.clients?.some((q) => q.id === c.id)) ok[k] = 1;
    });
    checks.push((i) => ok[ds.client[i]] === 1);
  }
  if (f.httpResponseCodes && f.httpResponseCodes.length > 0) {
    const codes = new Set(f.httpResponseCodes.map(Number));
    checks.push((i) => codes.has(ds.code[i]));
  }
  if (f.resources && f.resources.length > 0) {
    const ok = new Uint8Array(ds.resourcePool.length + 1);
    ds.resourcePool.forEach((r, k) => {
      if (f.resources?.some((q) => (q.id === undefined || q.id === r.id) && (q.type === undefined || q.type === r.type))) ok[k] = 1;
    });
    const hit = (k: number) => k !== NO_RESOURCE && ok[k] === 1;
    checks.push((i) => hit(ds.res1[i]) || hit(ds.res2[i]));
  }
  if (checks.length === 0) return () => true;
  return (i) => {
    for (const c of checks) if (!c(i)) return false;
    return true;
  };
}

export interface Range {
  startTime?: number;
  endTime?: number;
  /** The API's end bound: exclusive per the model, inclusive per the reference's wording (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html). */
  endInclusive: boolean;
}

/** Indexes of matching events in ascending time order. */
export function selectIndices(ds: SmapiDataset, range: Range, filter: (i: number) => boolean): Int32Array {
  const lo = range.startTime === undefined ? 0 : lowerBound(ds.time, range.startTime);
  const hi =
    range.endTime === undefined ? ds.size : range.endInclusive ? upperBound(ds.time, range.endTime) : lowerBound(ds.time, range.endTime);
  const out = new Int32Array(Math.max(0, hi - lo));
  let n = 0;
  for (let i = lo; i < hi; i++) if (filter(i)) out[n++] = i;
  return out.slice(0, n);
}

/** Orders matching indexes by the sort field, ties by time, then by position: a stable, total order. */
export function sortIndices(ds: SmapiDataset, idx: Int32Array, field: SortField, dir: 'ASC' | 'DESC'): Int32Array {
  const sign = dir === 'ASC' ? 1 : -1;
  const out = Int32Array.from(idx);
  if (field === 'timestamp') {
    if (dir === 'DESC') out.reverse();
    return out;
  }
  const key = sortKey(ds, field);
  const arr = Array.from(out);
  arr.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = ka < kb ? -1 : ka > kb ? 1 : ds.time[a] - ds.time[b] || a - b;
    return sign * c;
  });
  return Int32Array.from(arr);
}

function sortKey(ds: SmapiDataset, field: Exclude<SortField, 'timestamp'>): (i: number) => string | number {
  const res = (i: number) => (ds.res1[i] === NO_RESOURCE ? undefined : ds.resourcePool[ds.res1[i]]);
  switch (field) {
    case 'operation':
      return (i) => `${OPERATION_VARIANTS[ds.op[i]].name}\u0000${OPERATION_VARIANTS[ds.op[i]].version}`;
    case 'resource.id':
      return (i) => res(i)?.id ?? '';
    case 'resource.type':
      return (i) => res(i)?.type ?? '';
    case 'requester.userId':
      return (i) => SMAPI_REQUESTERS[ds.requester[i]].userId;
    case 'client.id':
      return (i) => SMAPI_CLIENTS[ds.client[i]].id;
    case 'httpResponseCode':
      return (i) => ds.code[i];
  }
}
