import { json, startEmulator, type EmuRequest, type EmuResponse } from '../kit/server.js';
import type { FaultController } from '../kit/faults.js';
import { seededRandom } from '../kit/random.js';
import { generateAmplitudeData, type AmplitudeRecord, type AmplitudeTruthRecord } from './data.js';

export type { AmplitudeRecord, AmplitudeTruthRecord } from './data.js';

/**
 * A local Amplitude Audit Logs API (https://amplitude.com/docs/apis/audit-logs). Documented: the route, Basic
 * auth, the body fields, 30 days per query, 90 days kept. Chosen here because undocumented (and
 * written up in docs/sources/amplitude.md): `{events, next_cursor}` answers, `pagination.cursor`,
 * limit 1..1000, newest first, `end_date` inclusive, errors as `{error: message}` with 400/401/403.
 */
export interface AmplitudeEmulatorOptions {
  seed?: string;
  orgId?: string;
  apiKey?: string;
  secretKey?: string;
  /** Data range, epoch ms. Default: the previous UTC calendar month, two days either side. */
  start?: number;
  end?: number;
  recordsPerDay?: number;
  /** The emulator's "today", for the retention check. Default: the real time. */
  now?: number;
  port?: number;
  host?: string;
}

export interface AmplitudeTruth {
  records: AmplitudeTruthRecord[];
  orgId: string;
  /** Records with `from <= time < to` (ms). */
  between(from: number, to: number): AmplitudeTruthRecord[];
}

export interface AmplitudeEmulator {
  url: string;
  port: number;
  orgId: string;
  apiKey: string;
  secretKey: string;
  faults: FaultController;
  truth: AmplitudeTruth;
  /** The next N valid cursors are refused with 400 "invalid pagination cursor" (an expired cursor). */
  rejectCursors(n: number): void;
  /** Request bodies received (JSON-parsed), oldest first: what the client asked. */
  requests(): unknown[];
  requestCount(): number;
  close(): Promise<void>;
}

const DAY = 86_400_000;
const EMULATED_MAX_RANGE_DAYS = 30;
const EMULATED_RETENTION_DAYS = 90;
const MAX_LIMIT = 1000;

export async function startAmplitudeEmulator(options: AmplitudeEmulatorOptions = {}): Promise<AmplitudeEmulator> {
  const realNow = Date.now();
  const d = new Date(realNow);
  const start = options.start ?? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1) - 2 * DAY;
  const end = options.end ?? Math.min(realNow, Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) + 2 * DAY);
  const seed = options.seed ?? 'demo';
  const orgId = options.orgId ?? '76273';
  const keys = seededRandom(`amplitude-keys:${seed}`);
  const apiKey = options.apiKey ?? keys.hex(32);
  const secretKey = options.secretKey ?? keys.hex(32);
  const expectedAuth = `Basic ${Buffer.from(`${apiKey}:${secretKey}`).toString('base64')}`;
  const data = generateAmplitudeData({ seed, orgId, start, end, recordsPerDay: options.recordsPerDay ?? 40 });
  const newestFirst = [...data.records].reverse();
  const received: unknown[] = [];
  let rejectCursors = 0;

  const handler = (req: EmuRequest): EmuResponse => {
    const m = /^\/api\/2\/audit-logs\/([^/]+)\/?$/.exec(req.path);
    if (!m || req.method !== 'POST') return json(404, { error: `no route ${req.method} ${req.path}` });
    if (req.headers.authorization !== expectedAuth) return json(401, { error: 'Invalid API key or secret key' });
    if (decodeURIComponent(m[1]) !== orgId) return json(403, { error: `these credentials do not belong to organization ${decodeURIComponent(m[1])}` });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body || '{}') as Record<string, unknown>;
    } catch {
      return json(400, { error: 'request body is not valid JSON' });
    }
    received.push(body);
    return query(body, options.now ?? Date.now());
  };

  /** `POST /__emulator/behaviour {"rejectCursors": N}` plays expired cursors while running (`auditpack emulate`). */
  function switchBehaviour(patch: unknown): unknown {
    if (!isObject(patch)) throw new Error('send a JSON object such as {"rejectCursors": 1}');
    for (const [k, v] of Object.entries(patch)) {
      if (k !== 'rejectCursors') throw new Error(`unknown behaviour "${k}" (rejectCursors)`);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error('rejectCursors must be an integer of at least 0');
      rejectCursors = v;
    }
    return { rejectCursors };
  }

  function query(body: Record<string, unknown>, now: number): EmuResponse {
    const from = typeof body.start_date === 'string' ? Date.parse(body.start_date) : NaN;
    const to = typeof body.end_date === 'string' ? Date.parse(body.end_date) : NaN;
    if (Number.isNaN(from) || Number.isNaN(to)) return json(400, { error: 'start_date and end_date are required ISO 8601 date-times' });
    if (to < from) return json(400, { error: 'end_date must not be before start_date' });
    if (to - from > EMULATED_MAX_RANGE_DAYS * DAY) return json(400, { error: `date range exceeds the maximum of ${EMULATED_MAX_RANGE_DAYS} days` });
    if (from < now - EMULATED_RETENTION_DAYS * DAY) {
      return json(400, { error: `start_date is outside the ${EMULATED_RETENTION_DAYS}-day retention period` });
    }
    const filters = isObject(body.filters) ? body.filters : {};
    const pagination = isObject(body.pagination) ? body.pagination : {};
    const limit = pagination.limit === undefined ? 100 : pagination.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return json(400, { error: `pagination.limit must be an integer from 1 to ${MAX_LIMIT}` });
    }
    const key = JSON.stringify([from, to, filters.domain ?? null, filters.feature ?? null, filters.action ?? null]);
    let offset = 0;
    if (pagination.cursor !== undefined) {
      const c = decodeCursor(pagination.cursor);
      if (!c || c.k !== key) return json(400, { error: 'invalid pagination cursor for this query' });
      if (rejectCursors > 0) {
        rejectCursors--;
        return json(400, { error: 'pagination cursor expired' });
      }
      offset = c.o;
    }
    const matches = newestFirst.filter((r) => {
      const t = Date.parse(r.timestamp);
      // end_date inclusive: the client must drop what falls on the bound.
      return t >= from && t <= to && matchesFilter(r, filters);
    });
    const next = offset + limit;
    return json(200, {
      events: matches.slice(offset, next),
      next_cursor: next < matches.length ? encodeCursor({ k: key, o: next }) : null,
    });
  }

  const server = await startEmulator(handler, { port: options.port, host: options.host, controls: { behaviour: switchBehaviour } });
  return {
    url: server.url,
    port: server.port,
    orgId,
    apiKey,
    secretKey,
    faults: server.faults,
    truth: {
      records: data.truth,
      orgId,
      between: (from, to) => data.truth.filter((r) => r.time >= from && r.time < to),
    },
    rejectCursors: (n) => {
      rejectCursors = n;
    },
    requests: () => [...received],
    requestCount: server.requestCount,
    close: server.close,
  };
}

/** One `sources[]` entry and its environment, wired to a running emulator (`auditpack demo`). */
export function demoAmplitudeSetup(emulator: Pick<AmplitudeEmulator, 'url' | 'orgId' | 'apiKey' | 'secretKey'>): {
  sourceConfig: Record<string, unknown>;
  env: Record<string, string>;
} {
  return {
    sourceConfig: {
      type: 'amplitude',
      name: 'amplitude',
      orgId: emulator.orgId,
      endpoint: emulator.url,
      apiKeyEnv: 'AMPLITUDE_ORG_API_KEY',
      secretKeyEnv: 'AMPLITUDE_ORG_SECRET_KEY',
    },
    env: { AMPLITUDE_ORG_API_KEY: emulator.apiKey, AMPLITUDE_ORG_SECRET_KEY: emulator.secretKey },
  };
}

function matchesFilter(r: AmplitudeRecord, f: Record<string, unknown>): boolean {
  return (f.domain === undefined || r.domain === f.domain) && (f.feature === undefined || r.feature === f.feature) && (f.action === undefined || r.action === f.action);
}

function encodeCursor(c: { k: string; o: number }): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(v: unknown): { k: string; o: number } | null {
  if (typeof v !== 'string') return null;
  try {
    const c = JSON.parse(Buffer.from(v, 'base64url').toString('utf8')) as { k?: unknown; o?: unknown };
    return typeof c.k === 'string' && typeof c.o === 'number' ? { k: c.k, o: c.o } : null;
  } catch {
    return null;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
