import { seededRandom, type Random } from '../kit/random.js';

/** One stored record (the shape of https://vidos.id/docs/reference/management/trail), timestamp in milliseconds. */
export interface TrailRecord {
  account_id: string;
  metadata: { id: string; requestId: string; version: string; region: 'global' | 'eu'; scope: 'management' | 'service'; service: string };
  request: {
    auth: { method: string; publicKey: string };
    method: string;
    path: string;
    originalUrl: string;
    hostname: string;
    headers: Record<string, string>;
    query: Record<string, string>;
    body: unknown;
  };
  response: { statusCode: number; headers: Record<string, string>; body: unknown };
  timestamp: number;
}

/** What the tests compare against: independent of the source's normalizer. */
export interface TrailTruthRecord {
  id: string;
  /** Epoch ms. */
  time: number;
  service: string;
  scope: 'management' | 'service';
  region: 'global' | 'eu';
  method: string;
  /** The route template with every id as `:id`: what the operation should read. */
  route: string;
  path: string;
  statusCode: number;
  authMethod: string;
  publicKey: string;
  /** Credential values planted in this record (headers, query, body). */
  planted: number;
}

export interface TrailDataSet {
  records: TrailRecord[];
  truth: TrailTruthRecord[];
  accountId: string;
  plantedSecret: string;
}

interface RouteSpec {
  service: string;
  scope: 'management' | 'service';
  method: string;
  /** `{uuid}`, `{hex}`, `{num}`, `{did}` are filled with ids. */
  template: string;
  weight: number;
  /** Creates a key: the response body carries the new secret. */
  issuesSecret?: boolean;
}

const ROUTES: readonly RouteSpec[] = [
  { service: 'authorizer', scope: 'service', method: 'POST', template: '/v1/authorize', weight: 8 },
  { service: 'authorizer', scope: 'service', method: 'GET', template: '/v1/policies/{uuid}', weight: 3 },
  { service: 'authorizer', scope: 'management', method: 'PUT', template: '/v1/policies/{uuid}', weight: 1 },
  { service: 'gateway', scope: 'service', method: 'GET', template: '/v1/instances/{uuid}/status', weight: 5 },
  { service: 'gateway', scope: 'service', method: 'POST', template: '/v1/instances/{uuid}/requests', weight: 4 },
  { service: 'resolver', scope: 'service', method: 'GET', template: '/v1/identifiers/{did}', weight: 8 },
  { service: 'resolver', scope: 'service', method: 'GET', template: '/1.0/identifiers/{did}', weight: 2 },
  { service: 'validator', scope: 'service', method: 'POST', template: '/v1/validate', weight: 6 },
  { service: 'validator', scope: 'service', method: 'GET', template: '/v1/validations/{uuid}', weight: 2 },
  { service: 'verifier', scope: 'service', method: 'POST', template: '/v1/verify', weight: 6 },
  { service: 'verifier', scope: 'service', method: 'GET', template: '/v1/presentations/{hex}', weight: 2 },
  { service: 'management', scope: 'management', method: 'GET', template: '/v1/keys', weight: 2 },
  { service: 'management', scope: 'management', method: 'POST', template: '/v1/keys', weight: 1, issuesSecret: true },
  { service: 'management', scope: 'management', method: 'GET', template: '/v1/keys/{hex}', weight: 1 },
  { service: 'management', scope: 'management', method: 'DELETE', template: '/v1/keys/{hex}', weight: 1 },
  { service: 'management', scope: 'management', method: 'PATCH', template: '/v1/instances/{uuid}', weight: 1 },
  { service: 'management', scope: 'management', method: 'POST', template: '/v1/members/{num}/roles', weight: 1 },
  { service: 'management', scope: 'management', method: 'GET', template: '/v1/account/usage', weight: 1 },
];

const STATUS_BY_METHOD: Record<string, readonly (readonly [number, number])[]> = {
  GET: [[200, 88], [404, 6], [403, 3], [500, 2], [401, 1]],
  POST: [[200, 60], [201, 22], [400, 9], [401, 3], [403, 3], [500, 2], [503, 1]],
  PUT: [[200, 85], [400, 8], [403, 7]],
  PATCH: [[200, 85], [400, 8], [409, 7]],
  DELETE: [[204, 85], [404, 10], [403, 5]],
};

const USER_AGENTS = ['vidos-sdk-js/2.4.1 node/20.11.0', 'curl/8.5.0', 'vidos-cli/1.9.0', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15'];

const DAY = 86_400_000;

export interface TrailDataOptions {
  seed: string;
  start: number;
  end: number;
  recordsPerDay: number;
}

export function generateTrailData(opts: TrailDataOptions): TrailDataSet {
  const rnd = seededRandom(`trail-logs:${opts.seed}`);
  const accountId = `acc_${rnd.hex(12)}`;
  const plantedSecret = `sk_live_PLANTED_${rnd.hex(24)}`;
  const requesters = [
    { method: 'apiKey', publicKey: `pk_live_${rnd.hex(24)}` },
    { method: 'apiKey', publicKey: `pk_live_${rnd.hex(24)}` },
    { method: 'jwt', publicKey: `did:key:z6Mk${base58(rnd, 44)}` },
    { method: 'mtls', publicKey: `-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE${base58(rnd, 64)}\n-----END PUBLIC KEY-----` },
  ];
  const times: number[] = [];
  const firstDay = Math.floor(opts.start / DAY) * DAY;
  for (let day = firstDay; day < opts.end; day += DAY) {
    const n = Math.max(1, opts.recordsPerDay + rnd.int(-Math.floor(opts.recordsPerDay / 4), Math.floor(opts.recordsPerDay / 4) + 1));
    // One call exactly at midnight every few days: an inclusive `to` returns it to two windows.
    if ((day / DAY) % 3 === 0) times.push(day);
    for (let i = 0; i < n; i++) times.push(day + rnd.int(0, DAY / 1000) * 1000);
  }
  const inRange = times.filter((t) => t >= opts.start && t < opts.end).sort((a, b) => a - b);

  const records: TrailRecord[] = [];
  const truth: TrailTruthRecord[] = [];
  const weighted = ROUTES.map((r) => [r, r.weight] as const);
  for (const time of inRange) {
    const route = rnd.weighted(weighted);
    const who = rnd.pick(requesters);
    const path = route.template.replace(/\{(uuid|hex|num|did)\}/g, (_, kind: string) => idOf(kind, rnd));
    const status = rnd.weighted(STATUS_BY_METHOD[route.method]);
    const region: 'global' | 'eu' = rnd.next() < 0.85 ? 'global' : 'eu';
    const hostname = `${route.service}.${region}.vidos.id`;
    const requestId = `req_${rnd.hex(20)}`;
    const ip = `203.0.113.${rnd.int(1, 255)}`;
    let planted = 0;

    const headers: Record<string, string> = {
      host: hostname,
      'user-agent': rnd.pick(USER_AGENTS),
      accept: 'application/json',
      'x-request-id': requestId,
      'x-forwarded-for': `${ip}, 10.0.${rnd.int(0, 255)}.${rnd.int(1, 255)}`,
    };
    const query: Record<string, string> = {};
    let originalUrl = path;
    const roll = rnd.next();
    if (roll < 0.3) {
      headers.authorization = `Bearer ${plantedSecret}`;
      planted++;
    } else if (roll < 0.4) {
      headers['x-api-key'] = plantedSecret;
      planted++;
    } else if (roll < 0.48) {
      headers.Cookie = `session=${plantedSecret}; theme=dark`;
      planted++;
    } else if (roll < 0.53 && route.method === 'GET') {
      query.api_key = plantedSecret;
      query.page = '1';
      originalUrl = `${path}?page=1&api_key=${plantedSecret}`;
      planted += 2;
    }
    if (route.method !== 'GET' && route.method !== 'DELETE') headers['content-type'] = 'application/json';

    const ok = status < 400;
    const responseHeaders: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId };
    if (ok && route.service === 'gateway' && rnd.next() < 0.3) {
      responseHeaders['Set-Cookie'] = `sid=${plantedSecret}; Path=/; HttpOnly; Secure`;
      planted++;
    }
    let responseBody: unknown = ok ? okBody(route, path, rnd) : { type: errorType(status), message: errorMessage(status) };
    if (ok && route.issuesSecret) {
      responseBody = { id: rnd.hex(32), name: `ci-key-${rnd.int(1, 99)}`, secret: plantedSecret };
      planted++;
    }
    const record: TrailRecord = {
      account_id: accountId,
      metadata: { id: uuid(rnd), requestId, version: '1.0', region, scope: route.scope, service: route.service },
      request: {
        auth: { method: who.method, publicKey: who.publicKey },
        method: route.method,
        path,
        originalUrl,
        hostname,
        headers,
        query,
        body: requestBody(route, rnd),
      },
      response: { statusCode: status, headers: responseHeaders, body: responseBody },
      timestamp: time,
    };
    records.push(record);
    truth.push({
      id: record.metadata.id,
      time,
      service: route.service,
      scope: route.scope,
      region,
      method: route.method,
      route: route.template.replace(/\{(uuid|hex|num|did)\}/g, ':id'),
      path,
      statusCode: status,
      authMethod: who.method,
      publicKey: who.publicKey,
      planted,
    });
  }
  return { records, truth, accountId, plantedSecret };
}

function idOf(kind: string, rnd: Random): string {
  if (kind === 'uuid') return uuid(rnd);
  if (kind === 'hex') return rnd.hex(32);
  if (kind === 'num') return String(rnd.int(1000, 99999));
  return rnd.next() < 0.5 ? `did:web:example.com:users:${rnd.hex(12)}` : `did:key:z6Mk${base58(rnd, 44)}`;
}

export function uuid(rnd: Random): string {
  return `${rnd.hex(8)}-${rnd.hex(4)}-4${rnd.hex(3)}-${rnd.pick(['8', '9', 'a', 'b'])}${rnd.hex(3)}-${rnd.hex(12)}`;
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58(rnd: Random, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += B58[rnd.int(0, B58.length)];
  return s;
}

function requestBody(route: RouteSpec, rnd: Random): unknown {
  if (route.method === 'GET' || route.method === 'DELETE') return null;
  if (route.template === '/v1/authorize') return { action: rnd.pick(['read', 'write']), resource: `urn:vidos:instance:${rnd.hex(8)}` };
  if (route.template === '/v1/validate' || route.template === '/v1/verify') return { format: rnd.pick(['jwt_vc', 'ldp_vc', 'sd_jwt']), checks: ['status', 'expiry'] };
  if (route.template.includes('/roles')) return { role: rnd.pick(['admin', 'viewer', 'developer']) };
  if (route.issuesSecret) return { name: `ci-key-${rnd.int(1, 99)}`, expiresInDays: 90 };
  return { enabled: rnd.next() < 0.8 };
}

function okBody(route: RouteSpec, path: string, rnd: Random): unknown {
  if (route.template === '/v1/authorize') return { allowed: rnd.next() < 0.9 };
  if (route.template === '/v1/keys') return { items: [{ id: rnd.hex(32), name: 'ci-key' }] };
  if (route.method === 'DELETE') return null;
  return { ok: true, path };
}

function errorType(status: number): string {
  return { 400: 'ValidationError', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 500: 'InternalError', 503: 'Unavailable' }[status] ?? 'Error';
}

function errorMessage(status: number): string {
  return (
    { 400: 'Invalid request body', 401: 'Missing or invalid authentication', 403: 'Not allowed for this key', 404: 'Resource not found', 409: 'Conflicting update', 500: 'Unexpected server error', 503: 'Service unavailable, try again' }[
      status
    ] ?? 'Error'
  );
}
