import { json, startEmulator, type EmuRequest, type EmuResponse } from '../kit/server.js';
import type { FaultController } from '../kit/faults.js';
import { seededRandom } from '../kit/random.js';
import { generateTrailData, type TrailRecord, type TrailTruthRecord } from './data.js';

export type { TrailRecord, TrailTruthRecord } from './data.js';

/**
 * The behaviours the Trail Logs reference leaves open (https://vidos.id/docs/reference/management/trail); each can be played, and switched
 * while running with `configure`.
 */
export interface TrailLogsBehaviour {
  /**
   * How "still running" looks: a 202, a 200 with a status field and empty data, or an error;
   * `rotate` answers the polls of one query with each in turn (202, status, error, 202…), as a
   * service behind a changing fleet might.
   */
  notReady: '202' | 'status' | 'error' | 'rotate';
  /** The status word of the `status` style while running (RUNNING; any other word plays an unforeseen one). */
  notReadyStatus: string;
  /** Status of the "not yet finished" error (400 or 409 are both plausible; 200 plays an error body on a success status). */
  notReadyErrorStatus: number;
  /** Result polls answered "not ready" before a query finishes (Infinity: never). */
  pollsUntilReady: number;
  /**
   * Where nextToken goes: a new POST (documented); the GET (`?nextToken=`) with the POST refusing
   * a token (400); or the GET with the POST silently ignoring it (first page again).
   */
  tokenStyle: 'post' | 'get' | 'get-ignores-post';
  timestampUnit: 'ms' | 's';
  pageSize: number;
  /** The next N uses of a valid token are refused with 400 "nextToken expired". */
  rejectTokens: number;
}

export interface TrailLogsEmulatorOptions extends Partial<TrailLogsBehaviour> {
  seed?: string;
  /** Data range, epoch ms. Default: the previous UTC calendar month, two days either side. */
  start?: number;
  end?: number;
  recordsPerDay?: number;
  apiKey?: string;
  port?: number;
  host?: string;
}

export interface TrailLogsTruth {
  /** Every stored record, oldest first, as the tests should see it normalized. */
  records: TrailTruthRecord[];
  /** The credential planted in headers, query strings and bodies: must never reach a pack. */
  plantedSecret: string;
  accountId: string;
  /** Records with `from <= time < to` (ms). */
  between(from: number, to: number): TrailTruthRecord[];
}

export interface TrailLogsEmulator {
  url: string;
  port: number;
  apiKey: string;
  faults: FaultController;
  truth: TrailLogsTruth;
  behaviour(): TrailLogsBehaviour;
  configure(patch: Partial<TrailLogsBehaviour>): void;
  /** Queries started so far (POST / accepted). */
  queryCount(): number;
  requestCount(): number;
  close(): Promise<void>;
}

interface Query {
  key: string;
  matches: TrailRecord[];
  offset: number;
  polls: number;
}

const DAY = 86_400_000;

export async function startTrailLogsEmulator(options: TrailLogsEmulatorOptions = {}): Promise<TrailLogsEmulator> {
  const now = Date.now();
  const d = new Date(now);
  const start = options.start ?? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1) - 2 * DAY;
  const end = options.end ?? Math.min(now, Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) + 2 * DAY);
  const seed = options.seed ?? 'demo';
  const data = generateTrailData({ seed, start, end, recordsPerDay: options.recordsPerDay ?? 60 });
  const apiKey = options.apiKey ?? `tl_test_${seededRandom(`trail-logs-key:${seed}`).hex(32)}`;
  const behaviour: TrailLogsBehaviour = {
    notReady: options.notReady ?? '202',
    notReadyErrorStatus: options.notReadyErrorStatus ?? 400,
    notReadyStatus: options.notReadyStatus ?? 'RUNNING',
    pollsUntilReady: options.pollsUntilReady ?? 2,
    tokenStyle: options.tokenStyle ?? 'post',
    timestampUnit: options.timestampUnit ?? 'ms',
    pageSize: options.pageSize ?? 100,
    rejectTokens: options.rejectTokens ?? 0,
  };
  const queries = new Map<string, Query>();
  const idRandom = seededRandom(`trail-logs-queries:${seed}`);
  let started = 0;

  const wire = (r: TrailRecord): TrailRecord => ({
    ...r,
    timestamp: behaviour.timestampUnit === 's' ? Math.floor(r.timestamp / 1000) : r.timestamp,
  });

  const page = (q: Query, offset: number): Record<string, unknown> => {
    const slice = q.matches.slice(offset, offset + behaviour.pageSize).map(wire);
    const next = offset + behaviour.pageSize;
    const body: Record<string, unknown> = { data: slice };
    if (next < q.matches.length) body.nextToken = encodeToken({ k: q.key, o: next });
    if (behaviour.notReady === 'status') body.status = 'SUCCEEDED';
    return body;
  };

  const handler = (req: EmuRequest): EmuResponse => {
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return json(401, { type: 'Unauthorized', message: 'Missing or invalid authentication' });
    }
    if (req.method === 'POST' && (req.path === '/' || req.path === '')) return startQuery(req);
    const m = /^\/query-result\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && m) return result(decodeURIComponent(m[1]), req.query.get('nextToken'));
    return json(404, { type: 'NotFound', message: `no route ${req.method} ${req.path}` });
  };

  /** `POST /__emulator/behaviour` with a partial TrailLogsBehaviour switches it while running (`auditpack emulate`); `{}` reads it. */
  function switchBehaviour(patch: unknown): unknown {
    const checked = checkBehaviour(patch);
    if (typeof checked === 'string') throw new Error(checked);
    Object.assign(behaviour, checked);
    return behaviourOut(behaviour);
  }

  function startQuery(req: EmuRequest): EmuResponse {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body || '{}') as Record<string, unknown>;
    } catch {
      return json(400, { type: 'ValidationError', message: 'request body is not JSON' });
    }
    const from = typeof body.from === 'string' ? Date.parse(body.from) : NaN;
    const to = typeof body.to === 'string' ? Date.parse(body.to) : NaN;
    if (Number.isNaN(from) || Number.isNaN(to)) {
      return json(400, { type: 'ValidationError', message: 'from and to are required ISO 8601 date-times' });
    }
    if (from > to) return json(400, { type: 'ValidationError', message: 'from must not be after to' });
    const method = body.method;
    if (method !== undefined && !['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].includes(String(method))) {
      return json(400, { type: 'ValidationError', message: 'method must be one of GET, POST, PUT, DELETE, PATCH' });
    }
    const key = `${from}|${to}|${method ?? ''}`;
    let offset = 0;
    if (body.nextToken !== undefined) {
      if (behaviour.tokenStyle === 'get') {
        return json(400, {
          type: 'ValidationError',
          message: 'nextToken is not accepted here: pass it to GET /query-result/{queryExecutionId}',
          action: 'use the query-result endpoint',
        });
      }
      if (behaviour.tokenStyle === 'post') {
        const t = decodeToken(body.nextToken);
        if (!t || t.k !== key) return json(400, { type: 'ValidationError', message: 'invalid nextToken for this query' });
        if (behaviour.rejectTokens > 0) {
          behaviour.rejectTokens--;
          return json(400, { type: 'ValidationError', message: 'nextToken expired' });
        }
        offset = t.o;
      }
    }
    // `to` is taken as inclusive here: the client must drop what falls on the bound.
    const matches = data.records.filter((r) => r.timestamp >= from && r.timestamp <= to && (method === undefined || r.request.method === method));
    const id = `${idRandom.hex(8)}-${idRandom.hex(4)}-4${idRandom.hex(3)}-a${idRandom.hex(3)}-${idRandom.hex(12)}`;
    queries.set(id, { key, matches, offset, polls: 0 });
    started++;
    return json(200, { queryExecutionId: id });
  }

  function result(id: string, token: string | null): EmuResponse {
    const q = queries.get(id);
    if (!q) return json(404, { type: 'NotFound', message: 'Query execution ID not found' });
    if (token !== null && behaviour.tokenStyle !== 'post') {
      const t = decodeToken(token);
      if (!t || t.k !== q.key) return json(400, { type: 'ValidationError', message: 'invalid nextToken for this query' });
      if (behaviour.rejectTokens > 0) {
        behaviour.rejectTokens--;
        return json(400, { type: 'ValidationError', message: 'nextToken expired' });
      }
      return json(200, page(q, t.o));
    }
    q.polls++;
    if (q.polls <= behaviour.pollsUntilReady) {
      const style = behaviour.notReady === 'rotate' ? (['202', 'status', 'error'] as const)[(q.polls - 1) % 3] : behaviour.notReady;
      if (style === '202') return json(202, { queryExecutionId: id, status: 'RUNNING' });
      if (style === 'status') return json(200, { queryExecutionId: id, status: behaviour.notReadyStatus, data: [] });
      return json(behaviour.notReadyErrorStatus, { type: 'QueryNotReady', message: 'Query not yet finished', action: 'retry later' });
    }
    return json(200, page(q, q.offset));
  }

  const server = await startEmulator(handler, { port: options.port, host: options.host, controls: { behaviour: switchBehaviour } });
  const truthRecords = data.truth;
  return {
    url: server.url,
    port: server.port,
    apiKey,
    faults: server.faults,
    truth: {
      records: truthRecords,
      plantedSecret: data.plantedSecret,
      accountId: data.accountId,
      between: (from, to) => truthRecords.filter((r) => r.time >= from && r.time < to),
    },
    behaviour: () => ({ ...behaviour }),
    configure: (patch) => {
      Object.assign(behaviour, patch);
    },
    queryCount: () => started,
    requestCount: server.requestCount,
    close: server.close,
  };
}

/** One `sources[]` entry and its environment, wired to a running emulator (`auditpack demo`). */
export function demoTrailLogsSetup(emulator: Pick<TrailLogsEmulator, 'url' | 'apiKey'>): {
  sourceConfig: Record<string, unknown>;
  env: Record<string, string>;
} {
  return {
    sourceConfig: {
      type: 'trail-logs',
      name: 'trail-logs',
      region: 'global',
      endpoint: emulator.url,
      apiKeyEnv: 'TRAIL_LOGS_API_KEY',
      pollIntervalMs: 20,
      maxPollIntervalMs: 200,
      queryTimeoutMs: 30_000,
      concurrency: 4,
    },
    env: { TRAIL_LOGS_API_KEY: emulator.apiKey },
  };
}

/** JSON has no Infinity: `pollsUntilReady` is shown and taken as "never" for a query that never finishes. */
function behaviourOut(b: TrailLogsBehaviour): Record<string, unknown> {
  return { ...b, pollsUntilReady: Number.isFinite(b.pollsUntilReady) ? b.pollsUntilReady : 'never' };
}

function checkBehaviour(v: unknown): Partial<TrailLogsBehaviour> | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'send a JSON object of behaviour fields';
  const out: Partial<TrailLogsBehaviour> = {};
  const count = (k: string, x: unknown, min: number): number | string =>
    typeof x === 'number' && Number.isInteger(x) && x >= min ? x : `${k} must be an integer of at least ${min}`;
  for (const [k, x] of Object.entries(v)) {
    let r: number | string;
    switch (k) {
      case 'notReady':
        if (x !== '202' && x !== 'status' && x !== 'error' && x !== 'rotate') return 'notReady must be "202", "status", "error" or "rotate"';
        out.notReady = x;
        break;
      case 'notReadyStatus':
        if (typeof x !== 'string' || x === '') return 'notReadyStatus must be a word such as RUNNING';
        out.notReadyStatus = x;
        break;
      case 'tokenStyle':
        if (x !== 'post' && x !== 'get' && x !== 'get-ignores-post') return 'tokenStyle must be "post", "get" or "get-ignores-post"';
        out.tokenStyle = x;
        break;
      case 'timestampUnit':
        if (x !== 'ms' && x !== 's') return 'timestampUnit must be "ms" or "s"';
        out.timestampUnit = x;
        break;
      case 'pollsUntilReady':
        if (x === 'never') {
          out.pollsUntilReady = Number.POSITIVE_INFINITY;
          break;
        }
        r = count(k, x, 0);
        if (typeof r === 'string') return `${r}, or "never"`;
        out.pollsUntilReady = r;
        break;
      case 'notReadyErrorStatus':
        if (typeof x !== 'number' || !Number.isInteger(x) || (x !== 200 && (x < 400 || x > 499))) return 'notReadyErrorStatus must be 200 or a 4xx status';
        out.notReadyErrorStatus = x;
        break;
      case 'pageSize':
      case 'rejectTokens':
        r = count(k, x, k === 'pageSize' ? 1 : 0);
        if (typeof r === 'string') return r;
        out[k] = r;
        break;
      default:
        return `unknown behaviour "${k}" (notReady, notReadyStatus, notReadyErrorStatus, pollsUntilReady, tokenStyle, timestampUnit, pageSize, rejectTokens)`;
    }
  }
  return out;
}

function encodeToken(t: { k: string; o: number }): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(v: unknown): { k: string; o: number } | null {
  if (typeof v !== 'string') return null;
  try {
    const t = JSON.parse(Buffer.from(v, 'base64url').toString('utf8')) as { k?: unknown; o?: unknown };
    return typeof t.k === 'string' && typeof t.o === 'number' ? { k: t.k, o: t.o } : null;
  } catch {
    return null;
  }
}
