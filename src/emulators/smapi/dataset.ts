import { seededRandom, type Random } from '../kit/random.js';
import { OPERATION_VARIANTS, type ResourceKind } from './operations.js';
import { SMAPI_CLIENTS, SMAPI_REQUESTERS } from './identities.js';

/** One audit record as the API returns it (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html, "Response body structure"). */
export interface SmapiAuditLog {
  xAmznRequestId: string;
  timestamp: string;
  operation: { name: string; version: string };
  userAgent?: string;
  resources?: { id: string; type: string }[];
  requester: { userId: string };
  client: { id: string; name: string };
  httpResponseCode: number;
}

export type SmapiResourceType = 'Skill' | 'InSkillProduct' | 'SkillCatalog' | 'Import' | 'Export';

export interface PooledResource {
  id: string;
  type: SmapiResourceType;
}

/**
 * The data set, column by column: typed arrays of indexes into small tables, so 100,000 events
 * cost a few megabytes; a record object is only built when a page or the ground truth asks for it.
 * Sorted by time ascending; ties keep generation order.
 */
export interface SmapiDataset {
  size: number;
  start: number;
  end: number;
  time: Float64Array;
  op: Uint16Array;
  requester: Uint8Array;
  client: Uint8Array;
  code: Uint16Array;
  /** Indexes into `resourcePool`; NO_RESOURCE when absent. */
  res1: Uint16Array;
  res2: Uint16Array;
  /** Indexes into `userAgents`; 0 means the record has no userAgent. */
  ua: Uint8Array;
  resourcePool: readonly PooledResource[];
  userAgents: readonly string[];
  requestId(i: number): string;
  /** The record exactly as the wire carries it. */
  recordJson(i: number): string;
  record(i: number): SmapiAuditLog;
}

export const NO_RESOURCE = 0xffff;
const DAY = 86_400_000;

export interface DatasetOptions {
  seed: string;
  start: number;
  end: number;
  count: number;
  /** Share of failed calls (default 0.05). */
  failureRate?: number;
  /**
   * Plants one burst: the former contractor (not in the directory) trying getSkillCredentials 12
   * times in under four minutes, refused with 403 each time. The demo shows the burst rule firing.
   */
  plantBurst?: boolean;
}

const BURST_SIZE = 12;
const BURST_STEP_MS = 17_000;

/** Failure codes and their weights (issue #2: "~5% failures spread over 400, 401, 403, 404, 429, 500"). */
const FAILURE_CODES: readonly (readonly [number, number])[] = [
  [400, 25],
  [401, 8],
  [403, 25],
  [404, 20],
  [429, 12],
  [500, 10],
];

export function generateDataset(opts: DatasetOptions): SmapiDataset {
  const { seed, start, end } = opts;
  const n = Math.max(0, Math.floor(opts.count));
  if (!(end > start)) throw new RangeError('dataset period: end must be after start');
  const failureRate = opts.failureRate ?? 0.05;
  const rnd = seededRandom(`smapi:${seed}`);

  const time = drawTimes(rnd, n, start, end);
  const pool = buildResourcePool(seededRandom(`smapi:${seed}:resources`));
  const userAgents = ['', ...new Set(SMAPI_CLIENTS.flatMap((c) => c.userAgents.filter((u) => u !== '')))];

  const op = new Uint16Array(n);
  const requester = new Uint8Array(n);
  const client = new Uint8Array(n);
  const code = new Uint16Array(n);
  const res1 = new Uint16Array(n).fill(NO_RESOURCE);
  const res2 = new Uint16Array(n).fill(NO_RESOURCE);
  const ua = new Uint8Array(n);

  const pickOp = cumulativePicker(OPERATION_VARIANTS.map((v) => v.weight));
  const pickRequester = cumulativePicker(SMAPI_REQUESTERS.map((r) => r.weight));
  const humanClients = SMAPI_CLIENTS.map((c, i) => [i, c.ci ? 0 : c.weight] as const);
  const pickHumanClient = cumulativePicker(humanClients.map(([, w]) => w));
  const ciClient = SMAPI_CLIENTS.findIndex((c) => c.ci);
  const pickFailure = cumulativePicker(FAILURE_CODES.map(([, w]) => w));
  const byType = indexByType(pool);

  for (let i = 0; i < n; i++) {
    const r = pickRequester(rnd.next());
    requester[i] = r;
    const c = SMAPI_REQUESTERS[r].ciOnly ? ciClient : humanClients[pickHumanClient(rnd.next())][0];
    client[i] = c;
    const v = pickOp(rnd.next());
    op[i] = v;
    code[i] = rnd.next() < failureRate ? FAILURE_CODES[pickFailure(rnd.next())][0] : OPERATION_VARIANTS[v].successCode;
    const agents = SMAPI_CLIENTS[c].userAgents;
    if (agents.length > 0) {
      const agent = agents[rnd.int(0, agents.length)];
      ua[i] = agent === '' ? 0 : userAgents.indexOf(agent);
    }
    const [a, b] = pickResources(OPERATION_VARIANTS[v].resources, byType, rnd);
    res1[i] = a;
    res2[i] = b;
  }

  if (opts.plantBurst) plantBurst(rnd, { time, op, requester, client, code, res1, res2 }, byType);

  const idSalt = [hashSeed(`${seed}:a`), hashSeed(`${seed}:b`), hashSeed(`${seed}:c`), hashSeed(`${seed}:d`)] as const;
  const requestId = (i: number): string => {
    // fmix32 is a bijection on 32-bit integers, so the last group is distinct for every index.
    const a = fmix32(i ^ idSalt[0]);
    const b = fmix32(i ^ idSalt[1]);
    const c = fmix32(i ^ idSalt[2]);
    const d = fmix32(i ^ idSalt[3]);
    // UUID v1 layout like the documented example's "a53cbaa5-f64b-11e7-94e4-e7de641ed24a", by byte lookup (hot path).
    return (
      `${hex8(a)}-${HEX2[b >>> 24]}${HEX2[(b >>> 16) & 255]}-1${HEX1[(b >>> 8) & 15]}${HEX2[b & 255]}-` +
      `${HEX1[8 + (c >>> 30)]}${HEX1[(c >>> 24) & 15]}${HEX2[(c >>> 16) & 255]}-${HEX2[(c >>> 8) & 255]}${HEX2[c & 255]}${hex8(d)}`
    );
  };

  // A record's text is assembled from JSON fragments made once per table entry; the emulator
  // serializes each record once, when it starts (createWire in emulator.ts), and pages are slices.
  const opJson = OPERATION_VARIANTS.map((v) => JSON.stringify({ name: v.name, version: v.version }));
  const requesterJson = SMAPI_REQUESTERS.map((r) => JSON.stringify({ userId: r.userId }));
  const clientJson = SMAPI_CLIENTS.map((c) => JSON.stringify({ id: c.id, name: c.name }));
  const resourceJson = pool.map((r) => JSON.stringify({ id: r.id, type: r.type }));
  const userAgentJson = userAgents.map((u) => JSON.stringify(u));

  // Field order as in the example response of https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html.
  const recordJson = (i: number): string => {
    let s = `{"xAmznRequestId":"${requestId(i)}","timestamp":"${new Date(time[i]).toISOString()}","operation":${opJson[op[i]]}`;
    if (ua[i] !== 0) s += `,"userAgent":${userAgentJson[ua[i]]}`;
    if (res1[i] !== NO_RESOURCE) s += `,"resources":[${resourceJson[res1[i]]}${res2[i] !== NO_RESOURCE ? `,${resourceJson[res2[i]]}` : ''}]`;
    return `${s},"requester":${requesterJson[requester[i]]},"client":${clientJson[client[i]]},"httpResponseCode":${code[i]}}`;
  };
  const record = (i: number): SmapiAuditLog => JSON.parse(recordJson(i)) as SmapiAuditLog;

  return { size: n, start, end, time, op, requester, client, code, res1, res2, ua, resourcePool: pool, userAgents, requestId, record, recordJson };
}

/**
 * Times over [start, end): busier on weekdays and in European/American working hours (UTC), plus
 * events exactly on UTC midnights (two on some) so half-open windows and inclusive end bounds
 * are exercised.
 */
/**
 * Rewrites BURST_SIZE consecutive events (from a seeded point past the middle of the period) into
 * the burst. Their times are moved forward from the first one, 17 s apart, only where that keeps
 * the data set sorted, so every other event is left as drawn.
 */
function plantBurst(
  rnd: Random,
  cols: { time: Float64Array; op: Uint16Array; requester: Uint8Array; client: Uint8Array; code: Uint16Array; res1: Uint16Array; res2: Uint16Array },
  byType: ReturnType<typeof indexByType>,
): void {
  const n = cols.time.length;
  const who = SMAPI_REQUESTERS.findIndex((r) => !r.inDirectory);
  const what = OPERATION_VARIANTS.findIndex((v) => v.name === 'getSkillCredentials');
  const how = SMAPI_CLIENTS.findIndex((c) => !c.ci);
  if (n < BURST_SIZE * 4 || who < 0 || what < 0 || how < 0) return;
  const span = BURST_SIZE * BURST_STEP_MS;
  for (let j = Math.floor(n / 2) + rnd.int(0, Math.floor(n / 4)); j + BURST_SIZE < n; j++) {
    if (cols.time[j + BURST_SIZE] - cols.time[j] <= span) continue;
    for (let m = 0; m < BURST_SIZE; m++) {
      const i = j + m;
      cols.time[i] = cols.time[j] + m * BURST_STEP_MS;
      cols.op[i] = what;
      cols.requester[i] = who;
      cols.client[i] = how;
      cols.code[i] = 403;
      const [a, b] = pickResources(OPERATION_VARIANTS[what].resources, byType, rnd);
      cols.res1[i] = a;
      cols.res2[i] = b;
    }
    return;
  }
}

function drawTimes(rnd: Random, n: number, start: number, end: number): Float64Array {
  const span = end - start;
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (;;) {
      const t = start + Math.floor(rnd.next() * span);
      const d = new Date(t);
      const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
      const h = d.getUTCHours();
      const accept = (weekend ? 0.3 : 1) * (h >= 7 && h < 23 ? 1 : 0.4);
      if (rnd.next() < accept) {
        time[i] = t;
        break;
      }
    }
  }
  const midnights: number[] = [];
  for (let m = Math.ceil(start / DAY) * DAY; m < end; m += DAY) {
    const day = Math.round((m - start) / DAY);
    if (day % 3 === 0) midnights.push(m);
    if (day % 9 === 0) midnights.push(m);
  }
  const boundaryEvents = Math.min(midnights.length, Math.floor(n / 10));
  // Spread over distinct slots (stride through the array) so no boundary event overwrites another.
  for (let k = 0; k < boundaryEvents; k++) time[Math.floor((k * n) / boundaryEvents)] = midnights[k];
  time.sort();
  return time;
}

function buildResourcePool(rnd: Random): PooledResource[] {
  const uuid = () => `${rnd.hex(8)}-${rnd.hex(4)}-${rnd.hex(4)}-${rnd.hex(4)}-${rnd.hex(12)}`;
  const pool: PooledResource[] = [];
  for (let i = 0; i < 16; i++) pool.push({ id: `amzn1.ask.skill.${uuid()}`, type: 'Skill' });
  for (let i = 0; i < 8; i++) pool.push({ id: `amzn1.adg.product.${uuid()}`, type: 'InSkillProduct' });
  for (let i = 0; i < 6; i++) pool.push({ id: `amzn1.ask.interactionModel.catalog.${uuid()}`, type: 'SkillCatalog' });
  for (let i = 0; i < 48; i++) pool.push({ id: `amzn1.ask-package.import.${uuid()}`, type: 'Import' });
  for (let i = 0; i < 24; i++) pool.push({ id: `amzn1.ask-package.export.${uuid()}`, type: 'Export' });
  return pool;
}

type ByType = Record<SmapiResourceType, number[]>;

function indexByType(pool: readonly PooledResource[]): ByType {
  const out: ByType = { Skill: [], InSkillProduct: [], SkillCatalog: [], Import: [], Export: [] };
  pool.forEach((r, i) => out[r.type].push(i));
  return out;
}

function pickResources(kind: ResourceKind, byType: ByType, rnd: Random): [number, number] {
  // A few skills get most of the attention: squaring a uniform draw skews towards the first ones.
  const skewed = (list: number[]) => list[Math.floor(rnd.next() ** 2 * list.length)];
  switch (kind) {
    case 'none':
      return [NO_RESOURCE, NO_RESOURCE];
    case 'skill':
      return [skewed(byType.Skill), NO_RESOURCE];
    case 'isp':
      return [skewed(byType.InSkillProduct), NO_RESOURCE];
    case 'isp+skill':
      return [skewed(byType.InSkillProduct), skewed(byType.Skill)];
    case 'catalog':
      return [skewed(byType.SkillCatalog), NO_RESOURCE];
    case 'catalog+skill':
      return [skewed(byType.Skill), skewed(byType.SkillCatalog)];
    case 'import':
      return [rnd.pick(byType.Import), NO_RESOURCE];
    case 'export':
      return [rnd.pick(byType.Export), NO_RESOURCE];
    case 'export+skill':
      return [skewed(byType.Skill), rnd.pick(byType.Export)];
  }
}

/** A picker over fixed weights by binary search on the cumulative sums (the kit's `weighted` is linear). */
function cumulativePicker(weights: readonly number[]): (u: number) => number {
  const cum = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((w, i) => {
    total += w;
    cum[i] = total;
  });
  return (u) => {
    const target = u * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashSeed(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const HEX1 = Array.from({ length: 16 }, (_, i) => i.toString(16));
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(v: number): string {
  return HEX2[v >>> 24] + HEX2[(v >>> 16) & 255] + HEX2[(v >>> 8) & 255] + HEX2[v & 255];
}

/** Index of the first event with time >= t (binary search on the sorted column). */
export function lowerBound(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first event with time > t. */
export function upperBound(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
