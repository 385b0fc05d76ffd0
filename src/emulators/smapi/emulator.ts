import { createFaults, type Fault, type FaultController } from '../kit/faults.js';
import { json, startEmulator, type EmuRequest, type EmuResponse, type RunningEmulator } from '../kit/server.js';
import { generateDataset, type SmapiDataset } from './dataset.js';
import { createLwaIssuer, type LwaCredentials } from './lwa.js';
import { createTokenCodec, type TokenState } from './next-token.js';
import { compileFilter, parseQueryBody, selectIndices, sortIndices, type ParsedQuery } from './query.js';
import { createTruth, type SmapiTruth } from './truth.js';
import { createTextBuffer } from '../../util/text-buffer.js';

export const SMAPI_QUERY_PATH = '/v1/developmentAuditLogs/query';
export const LWA_TOKEN_PATH = '/auth/o2/token';

/** Default data set period: October 2026, UTC. */
export const SMAPI_DEFAULT_PERIOD = { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 10, 1) } as const;
export const SMAPI_DEFAULT_VENDOR_ID = 'M2AUDITPACKDEMO';
export const SMAPI_FORBIDDEN_VENDOR_ID = 'M1FORBIDDENVNDR';
/** Credentials the emulator's LWA endpoint accepts by default. Not real secrets: demo values. */
export const SMAPI_DEMO_LWA: LwaCredentials = {
  clientId: 'amzn1.application-oa2-client.0a0d1e2m3o4d5e6m7o8auditpack00',
  clientSecret: 'amzn1.oa2-cs.v1.demo0secret0for0the0auditpack0emulator0only0000',
  refreshToken: 'Atzr|IwEBIDemoRefreshTokenForTheAuditpackEmulatorOnly0000000000',
};

/** Variants of undocumented behaviour (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html), switchable while running. */
export interface SmapiVariants {
  /** endTime treated as inclusive ("on or before", https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html) instead of exclusive (the model). */
  inclusiveEnd: boolean;
  /** Pages hold fewer than maxResults (sometimes none) and still carry a nextToken. */
  shortPages: boolean;
  /** maxResults above 200 clamped to 200 (the model's description); false: rejected with 400. */
  maxResultsClamp: boolean;
}

/** Faults the token endpoint can get on its own (it is excluded from the kit's API faults). */
export type TokenEndpointFault = Extract<Fault, { kind: 'status' | 'slow' | 'truncate' }>;

export interface SmapiEmulatorOptions {
  seed?: string;
  period?: { start: number; end: number };
  eventCount?: number;
  /** Plant one burst of refused calls in the data set (the demo's; see dataset.ts). */
  plantBurst?: boolean;
  vendorId?: string;
  /** Vendors the caller's token has no rights on: 403. */
  forbiddenVendorIds?: string[];
  lwa?: Partial<LwaCredentials>;
  accessTokenTtlSeconds?: number;
  /** The emulator's clock (token expiry, nextToken expiry). Default Date.now. */
  now?: () => number;
  /** Added delay per API request, in ms (benchmark): the answer leaves this long after the request arrived, or when built if later. */
  latencyMs?: number;
  variants?: Partial<SmapiVariants>;
  /** True: the kit's faults also hit the token endpoint. Default false (`noFaultPaths`). */
  faultTokenEndpoint?: boolean;
  /**
   * Every Nth valid nextToken presented is answered as expired (a server whose token lifetime is
   * shorter than documented, or that loses some tokens): deterministic, counted in the stats.
   */
  expireEveryNthToken?: number;
  port?: number;
  host?: string;
}

export interface SmapiEmulatorStats {
  apiRequests: number;
  pagesServed: number;
  tokenRequests: number;
  tokenGrants: number;
  rejectedNextTokens: number;
  expiredNextTokens: number;
  unauthorized: number;
}

export interface SmapiEmulator {
  url: string;
  port: number;
  /** LWA token endpoint URL (same server). */
  tokenUrl: string;
  /** Faults for the API (the token endpoint is excluded unless `faultTokenEndpoint`). */
  faults: FaultController;
  /** Faults for the token endpoint only. */
  tokenFaults: {
    enqueue(...faults: TokenEndpointFault[]): void;
    every(n: number, fault: TokenEndpointFault, opts?: { times?: number }): void;
    clear(): void;
    injected(): number;
  };
  truth: SmapiTruth;
  vendorId: string;
  forbiddenVendorIds: readonly string[];
  credentials: LwaCredentials;
  variants: Readonly<SmapiVariants>;
  setVariants(v: Partial<SmapiVariants>): void;
  /** An access token for the access-token-from-env mode. */
  issueAccessToken(ttlSeconds?: number): string;
  /** Invalidates every access token issued so far: the next API call gets 401. */
  revokeAccessTokens(): void;
  stats(): SmapiEmulatorStats;
  requestCount(): number;
  close(): Promise<void>;
}

/**
 * A faithful local SMAPI Audit Logs API (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html) with the LWA token endpoint
 * beside it, on a real HTTP server. The data set is generated from the seed: same seed, same records.
 */
export async function startSmapiEmulator(options: SmapiEmulatorOptions = {}): Promise<SmapiEmulator> {
  const seed = options.seed ?? 'auditpack-smapi';
  const period = options.period ?? SMAPI_DEFAULT_PERIOD;
  const now = options.now ?? (() => Date.now());
  const vendorId = options.vendorId ?? SMAPI_DEFAULT_VENDOR_ID;
  const forbidden = options.forbiddenVendorIds ?? [SMAPI_FORBIDDEN_VENDOR_ID];
  const credentials: LwaCredentials = { ...SMAPI_DEMO_LWA, ...options.lwa };
  const latencyMs = options.latencyMs ?? 0;
  const variants: SmapiVariants = { inclusiveEnd: false, shortPages: false, maxResultsClamp: true, ...options.variants };

  const ds = generateDataset({ seed, start: period.start, end: period.end, count: options.eventCount ?? 4000, plantBurst: options.plantBurst });
  const truth = createTruth(ds);
  const lwa = createLwaIssuer({ credentials, ttlSeconds: options.accessTokenTtlSeconds ?? 3600, now, seed });
  const codec = createTokenCodec(`smapi-next-token:${seed}:${vendorId}`);
  const tokenFaults = createFaults();
  const matches = createMatchCache(ds);
  const wire = createWire(ds);
  let tokensPresented = 0;
  const stats: SmapiEmulatorStats = { apiRequests: 0, pagesServed: 0, tokenRequests: 0, tokenGrants: 0, rejectedNextTokens: 0, expiredNextTokens: 0, unauthorized: 0 };

  const handleToken = async (req: EmuRequest): Promise<EmuResponse> => {
    stats.tokenRequests++;
    const fault = tokenFaults.take(req.path);
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}) };
      return { status: fault.status, headers, body: fault.body ?? JSON.stringify({ error: 'server_error', error_description: `emulated fault ${fault.status}` }) };
    }
    if (fault?.kind === 'slow') await delay(fault.delayMs);
    const answer = lwa.handle(req);
    stats.tokenGrants = lwa.grants();
    // Without the kit's socket access, a cut body is sent as a complete (but unparseable) response.
    if (fault?.kind === 'truncate') return { ...answer, body: answer.body.slice(0, Math.floor(answer.body.length / 2)) };
    return answer;
  };

  const handleQuery = async (req: EmuRequest): Promise<EmuResponse> => {
    stats.apiRequests++;
    if (!(latencyMs > 0)) return answerQuery(req);
    // The latency stands for the network: the answer is built while it elapses, so the emulator's
    // own work is not added on top of it (the benchmark's floor is pages × latency ÷ concurrency).
    const arrived = performance.now();
    const answer = answerQuery(req);
    const left = latencyMs - (performance.now() - arrived);
    if (left > 0) await delay(left);
    return answer;
  };

  const answerQuery = (req: EmuRequest): EmuResponse => {
    if (req.method !== 'POST') return json(405, { message: `Method ${req.method} is not allowed on ${SMAPI_QUERY_PATH}` }, { allow: 'POST' });
    const verdict = lwa.verify(typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined);
    if (verdict !== 'ok') {
      stats.unauthorized++;
      const message = verdict === 'missing' ? 'Authorization header is missing.' : verdict === 'expired' ? 'Token is expired.' : 'Token is invalid.';
      return json(401, { message });
    }
    const parsed = parseQueryBody(req.body, { clampMaxResults: variants.maxResultsClamp });
    if (!parsed.ok) return json(400, { message: parsed.message, violations: parsed.violations });
    const q = parsed.query;
    if (forbidden.includes(q.vendorId)) return json(403, { message: `You are not authorized to access vendor ${q.vendorId}.` });
    if (q.vendorId !== vendorId) return json(404, { message: `Vendor ${q.vendorId} not found.` });
    return page(q);
  };

  const page = (q: ParsedQuery): EmuResponse => {
    const queryHash = codec.queryHash(`${q.key}|${variants.inclusiveEnd ? 'incl' : 'excl'}`);
    let state: TokenState = { query: queryHash, offset: 0, issuedAt: now(), page: 0 };
    if (q.nextToken !== undefined) {
      const checked = codec.check(q.nextToken, queryHash, now());
      const n = options.expireEveryNthToken;
      const lost = checked.ok && n !== undefined && n > 0 && ++tokensPresented % n === 0;
      const check = lost ? ({ ok: false, reason: 'expired' } as const) : checked;
      if (!check.ok) {
        stats.rejectedNextTokens++;
        if (check.reason === 'expired') {
          stats.expiredNextTokens++;
          return json(400, {
            message: 'The nextToken has expired: tokens are valid for one hour. Start the query again without a nextToken.',
            violations: [{ code: 'EXPIRED_NEXT_TOKEN', message: 'paginationContext.nextToken has expired' }],
          });
        }
        return json(400, {
          message: 'The nextToken is not valid for this request.',
          violations: [
            {
              code: 'INVALID_NEXT_TOKEN',
              message: check.reason === 'other-query' ? 'paginationContext.nextToken was issued for different request parameters' : 'paginationContext.nextToken is malformed',
            },
          ],
        });
      }
      state = check.state;
    }
    const all = matches(q, variants.inclusiveEnd);
    const from = Math.min(state.offset, all.length);
    const count = variants.shortPages ? shortPageSize(queryHash, from, state.page, q.maxResults) : q.maxResults;
    const to = Math.min(all.length, from + count);
    const auditLogs = wire.records(all, from, to);
    // Short pages: a token even when this page reached the end, so the last page is an empty one.
    const more = variants.shortPages ? from < all.length : to < all.length;
    stats.pagesServed++;
    const nextToken = more ? codec.encode({ query: queryHash, offset: to, issuedAt: now(), page: state.page + 1 }) : undefined;
    const head = JSON.stringify({
      paginationContext: nextToken ? { nextToken } : {},
      _links: {
        self: { href: SMAPI_QUERY_PATH },
        ...(nextToken ? { next: { href: `${SMAPI_QUERY_PATH}?nextToken=${encodeURIComponent(nextToken)}` } } : {}),
      },
    });
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.concat([Buffer.from(`${head.slice(0, -1)},"auditLogs":[`), auditLogs, END_OF_PAGE]) };
  };

  const server: RunningEmulator = await startEmulator(
    async (req) => {
      if (req.path === LWA_TOKEN_PATH) return handleToken(req);
      if (req.path === SMAPI_QUERY_PATH) return handleQuery(req);
      return json(404, { message: `No such resource: ${req.path}` });
    },
    {
      port: options.port ?? 0,
      host: options.host,
      noFaultPaths: options.faultTokenEndpoint ? [] : [LWA_TOKEN_PATH],
      // `POST /__emulator/behaviour {"shortPages":true}`: the undocumented variants, switched from outside (`auditpack emulate`).
      controls: { behaviour: (body) => Object.assign(variants, parseVariants(body)) },
    },
  );

  return {
    url: server.url,
    port: server.port,
    tokenUrl: `${server.url}${LWA_TOKEN_PATH}`,
    faults: server.faults,
    tokenFaults: {
      enqueue: (...f) => tokenFaults.enqueue(...f),
      every: (n, f, o) => tokenFaults.every(n, f, o),
      clear: () => tokenFaults.clear(),
      injected: () => tokenFaults.injected(),
    },
    truth,
    vendorId,
    forbiddenVendorIds: forbidden,
    credentials,
    variants,
    setVariants(v) {
      Object.assign(variants, v);
    },
    issueAccessToken: (ttl) => lwa.issue(ttl),
    revokeAccessTokens: () => lwa.revokeAll(),
    stats: () => ({ ...stats }),
    requestCount: () => server.requestCount(),
    close: () => server.close(),
  };
}

const VARIANT_KEYS: readonly (keyof SmapiVariants)[] = ['inclusiveEnd', 'shortPages', 'maxResultsClamp'];

function parseVariants(body: unknown): Partial<SmapiVariants> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error(`variants: give an object such as {"shortPages": true} (keys ${VARIANT_KEYS.join(', ')})`);
  const out: Partial<SmapiVariants> = {};
  for (const [k, v] of Object.entries(body)) {
    if (!(VARIANT_KEYS as readonly string[]).includes(k)) throw new Error(`variants: unknown key "${k}" (use ${VARIANT_KEYS.join(', ')})`);
    if (typeof v !== 'boolean') throw new Error(`variants: ${k} must be true or false`);
    out[k as keyof SmapiVariants] = v;
  }
  return out;
}

/** Fewer than maxResults, sometimes none, but always moving on within three pages. */
function shortPageSize(queryHash: string, offset: number, page: number, max: number): number {
  let h = 2166136261;
  const s = `${queryHash}:${offset}:${page}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  const n = (h >>> 0) % Math.max(1, max);
  return n === 0 && page % 3 === 2 ? 1 : n;
}

const END_OF_PAGE = Buffer.from(']}');

/**
 * Every record's JSON, serialized once when the emulator starts, each followed by a comma, back to
 * back in data-set order (by time): a page's records are one slice of it when they are consecutive
 * there (a query without filters, by time ascending), else a gather of slices. Built record by
 * record for every page, the records' strings made the emulator's garbage collection and page
 * building cost a third of a core in bench/smapi-pull.ts, on the two cores it shares with the
 * client measured. The bytes are the same.
 */
function createWire(ds: SmapiDataset): { records(indices: Int32Array, from: number, to: number): Buffer } {
  const ends = new Float64Array(ds.size + 1);
  const text = createTextBuffer();
  for (let i = 0; i < ds.size; i++) {
    text.put(`${ds.recordJson(i)},`);
    ends[i + 1] = text.size;
  }
  const bytes = text.take();
  return {
    records(indices, from, to) {
      if (to <= from) return Buffer.alloc(0);
      const first = indices[from];
      const last = indices[to - 1];
      // Without the comma after the last record.
      if (last - first === to - 1 - from && ascending(indices, from, to)) return bytes.subarray(ends[first], ends[last + 1] - 1);
      const parts: Buffer[] = [];
      for (let k = from; k < to; k++) parts.push(bytes.subarray(ends[indices[k]], ends[indices[k] + 1]));
      const joined = Buffer.concat(parts);
      return joined.subarray(0, joined.length - 1);
    },
  };
}

function ascending(indices: Int32Array, from: number, to: number): boolean {
  for (let k = from + 1; k < to; k++) if (indices[k] !== indices[k - 1] + 1) return false;
  return true;
}

/**
 * The sorted match list of recent queries, so paging through a window does not filter and sort
 * again for every page. Few entries: concurrent windows each hold one.
 */
function createMatchCache(ds: SmapiDataset): (q: ParsedQuery, inclusiveEnd: boolean) => Int32Array {
  const cache = new Map<string, Int32Array>();
  return (q, inclusiveEnd) => {
    const key = `${q.key}|${inclusiveEnd}`;
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const idx = sortIndices(ds, selectIndices(ds, { startTime: q.startTime, endTime: q.endTime, endInclusive: inclusiveEnd }, compileFilter(ds, q.filters)), q.sortField, q.sortDirection);
    cache.set(key, idx);
    while (cache.size > 32) cache.delete(cache.keys().next().value as string);
    return idx;
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
