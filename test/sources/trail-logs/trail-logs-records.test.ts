import { describe, expect, it } from 'vitest';
import { collapseRoute } from '../../../src/sources/trail-logs/route.js';
import { redactTrailRecord, REDACTED } from '../../../src/sources/trail-logs/redact-record.js';
import { timestampMs, timestampUnit } from '../../../src/sources/trail-logs/timestamp.js';
import { normalizeTrailRecord, keyIdentity } from '../../../src/sources/trail-logs/normalize.js';
import { trailLogsBaseUrl, trailLogsConfigSchema } from '../../../src/sources/trail-logs/config.js';
import { trailLogsSource } from '../../../src/sources/trail-logs/index.js';
import { makeSource } from './harness.js';

const SECRET = 'sk_live_TOPSECRET_abcdef123456';

describe('collapseRoute', () => {
  it.each([
    ['/v1/keys/9f2c4a01b7e34d5c9a1b2c3d4e5f6a7b', '/v1/keys/:id'],
    ['/v1/policies/3fa85f64-5717-4562-b3fc-2c963f66afa6', '/v1/policies/:id'],
    ['/v1/members/12345/roles', '/v1/members/:id/roles'],
    ['/v1/identifiers/did:web:example.com:users:abc', '/v1/identifiers/:id'],
    ['/v1/identifiers/did%3Akey%3Az6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', '/v1/identifiers/:id'],
    ['/v1/keys/key_01HZX3K9Q2M7V8', '/v1/keys/:id'],
    ['/v1/instances/01ARZ3NDEKTSV4RRFFQ69G5FAV/status', '/v1/instances/:id/status'],
    ['/v1/users/alice@example.com', '/v1/users/:id'],
    ['/v1/reports/2026-01-05', '/v1/reports/:id'],
    ['/v1/account/usage', '/v1/account/usage'],
    ['/.well-known/openid-configuration', '/.well-known/openid-configuration'],
    ['/v1/keys/', '/v1/keys'],
    ['/v1/keys?page=2', '/v1/keys'],
    ['/', '/'],
    ['/oauth2/token', '/oauth2/token'],
    // Short segments: digits only, an escaped @, an @ and a did: are ids; a short word with a colon is not.
    ['/v1/7/ab%40c/a@b/did:x:1/x:y', '/v1/:id/:id/:id/:id/x:y'],
  ])('%s → %s', (path, route) => {
    expect(collapseRoute(path)).toBe(route);
  });
});

function record(): Record<string, unknown> {
  return {
    account_id: 'acc_1',
    metadata: { id: 'm-1', requestId: 'r-1', version: '1.0', region: 'eu', scope: 'management', service: 'management' },
    request: {
      auth: { method: 'apiKey', publicKey: 'pk_live_0123456789abcdef0123456789' },
      method: 'post',
      path: '/v1/keys',
      originalUrl: `/v1/keys?access_token=${SECRET}&page=2`,
      hostname: 'management.eu.vidos.id',
      headers: {
        Authorization: `Bearer ${SECRET}`,
        'PROXY-AUTHORIZATION': `Basic ${SECRET}`,
        Cookie: `sid=${SECRET}`,
        'X-Api-Key': SECRET,
        'x-auth-token': SECRET,
        'user-agent': 'curl/8',
        'x-forwarded-for': '203.0.113.9, 10.0.0.1',
      },
      query: { access_token: SECRET, page: '2' },
      body: JSON.stringify({ name: 'k', password: SECRET, nested: { clientSecret: SECRET, note: `Bearer ${SECRET}` } }),
    },
    response: {
      statusCode: 403,
      headers: { 'set-cookie': `sid=${SECRET}`, 'content-type': 'application/json' },
      body: { message: 'Not allowed for this key', token: `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc${SECRET}` },
    },
    timestamp: 1767225600,
  };
}

describe('redactTrailRecord', () => {
  it('removes credentials from headers (any case), query, url, bodies and counts each', () => {
    const r = record();
    const n = redactTrailRecord(r);
    const text = JSON.stringify(r);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('TOPSECRET');
    // 5 request headers + query + url param + body password + clientSecret + bearer note + set-cookie + response token
    expect(n).toBe(12);
    const req = r.request as { headers: Record<string, string>; auth: { publicKey: string }; query: Record<string, string>; originalUrl: string };
    expect(req.headers.Authorization).toBe(REDACTED);
    expect(req.headers['user-agent']).toBe('curl/8');
    expect(req.query.page).toBe('2');
    expect(req.originalUrl).toBe(`/v1/keys?access_token=${REDACTED}&page=2`);
    // The requester identity is a PUBLIC key and stays.
    expect(req.auth.publicKey).toBe('pk_live_0123456789abcdef0123456789');
  });

  it('scans the parameters of URLs held in other headers and fields (Referer, Location, callbacks)', () => {
    const r = {
      request: {
        headers: { referer: `https://app.example/cb?code=${SECRET}&state=1`, 'x-original-uri': `/v1/keys?page=2` },
        body: { callbackUrl: `https://app.example/done#access_token=${SECRET}&expires_in=3600` },
      },
      response: { headers: { location: `/login?next=%2Fhome&session_id=${SECRET}#frag` } },
    };
    expect(redactTrailRecord(r)).toBe(3);
    expect(JSON.stringify(r)).not.toContain(SECRET);
    expect(r.request.headers.referer).toBe(`https://app.example/cb?code=${REDACTED}&state=1`);
    expect(r.request.body.callbackUrl).toBe(`https://app.example/done#access_token=${REDACTED}&expires_in=3600`);
    expect(r.response.headers.location).toBe(`/login?next=%2Fhome&session_id=${REDACTED}#frag`);
    expect(r.request.headers['x-original-uri']).toBe('/v1/keys?page=2');
  });

  it('is idempotent: a second pass finds nothing', () => {
    const r = record();
    redactTrailRecord(r);
    expect(redactTrailRecord(r)).toBe(0);
  });

  it('leaves records without credentials untouched', () => {
    const r = { request: { headers: { accept: 'application/json' }, body: 'plain text' }, response: { body: null } };
    expect(redactTrailRecord(r)).toBe(0);
    expect(r.request.body).toBe('plain text');
  });
});

describe('timestamps', () => {
  it('tells seconds from milliseconds', () => {
    expect(timestampUnit(1767225600)).toBe('seconds');
    expect(timestampUnit(1767225600123)).toBe('milliseconds');
    expect(timestampUnit('1767225600')).toBe('seconds');
    expect(timestampUnit('2026-01-01T00:00:00Z')).toBe('iso');
    expect(timestampUnit('soon')).toBeNull();
    expect(timestampMs(1767225600)).toBe(Date.UTC(2026, 0, 1));
    expect(timestampMs(1767225600.5)).toBe(Date.UTC(2026, 0, 1) + 500);
    expect(timestampMs(Date.UTC(2026, 0, 1))).toBe(Date.UTC(2026, 0, 1));
  });
});

describe('normalizeTrailRecord', () => {
  it('maps the documented record to the normalized event', () => {
    const r = record();
    redactTrailRecord(r);
    const e = normalizeTrailRecord(r, 'vendor');
    expect(e).toMatchObject({
      id: 'm-1',
      time: Date.UTC(2026, 0, 1),
      source: 'vendor',
      sourceType: 'trail-logs',
      service: 'management',
      operation: 'POST /v1/keys',
      outcome: 'failure',
      responseCode: '403',
      requester: { id: 'pk_live_0123456789abcdef0123456789', type: 'apiKey' },
      region: 'eu',
      account: 'acc_1',
      sourceIp: '203.0.113.9',
      userAgent: 'curl/8',
      errorMessage: 'Not allowed for this key',
      resources: [{ id: '/v1/keys', type: 'path' }],
    });
    expect(e.attributes).toMatchObject({ scope: 'management', route: '/v1/keys', httpMethod: 'POST', authMethod: 'apiKey' });
  });

  it('reads headers whatever their case, the first of a name in the record\'s order', () => {
    const r = record();
    (r.request as { headers: Record<string, string> }).headers = { 'X-Real-IP': '198.51.100.1', 'User-Agent': 'first/1', 'user-agent': 'second/2' };
    expect(normalizeTrailRecord(r, 't')).toMatchObject({ sourceIp: '198.51.100.1', userAgent: 'first/1' });
  });

  it('hashes the content when the record has no id, stably', () => {
    const r = record();
    (r.metadata as Record<string, unknown>).id = undefined;
    const a = normalizeTrailRecord(r, 't').id;
    expect(a).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(normalizeTrailRecord(record(), 't').id).toBe('m-1');
    const r2 = record();
    (r2.metadata as Record<string, unknown>).id = undefined;
    expect(normalizeTrailRecord(r2, 't').id).toBe(a);
  });

  it('keeps long keys whole (without PEM armour) and refuses a record without a time', () => {
    const pem = `-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE${'x'.repeat(60)}Q9\n-----END PUBLIC KEY-----`;
    expect(keyIdentity(pem)).toBe(`MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE${'x'.repeat(60)}Q9`);
    expect(keyIdentity('pk_short')).toBe('pk_short');
    const r0 = record();
    (r0.request as { auth: unknown }).auth = { method: 'mtls', publicKey: pem };
    expect(normalizeTrailRecord(r0, 't').requester.id).toBe(keyIdentity(pem));
    const r = record();
    r.timestamp = 'later';
    expect(() => normalizeTrailRecord(r, 't')).toThrow(/no usable timestamp/);
  });
});

describe('trail-logs config and policy', () => {
  it('defaults to the global host and a daily window; eu is the analogous host', () => {
    const cfg = trailLogsConfigSchema.parse({ type: 'trail-logs', apiKeyEnv: 'K' });
    expect(cfg).toMatchObject({ region: 'global', windowHours: 24, pollIntervalMs: 1000, queryTimeoutMs: 900_000 });
    expect(trailLogsBaseUrl(cfg)).toBe('https://trail.management.global.vidos.id/');
    expect(trailLogsBaseUrl({ region: 'eu' })).toBe('https://trail.management.eu.vidos.id/');
    expect(trailLogsBaseUrl({ region: 'global', endpoint: 'http://127.0.0.1:9/prefix' })).toBe('http://127.0.0.1:9/prefix/');
  });

  it('turns windowHours into the window policy', () => {
    const day = makeSource(trailLogsSource, { type: 'trail-logs', apiKeyEnv: 'K' }, { K: 'secret-key-1' }).source;
    expect(day.policy).toMatchObject({ windowDays: 1, maxWindowMs: null, retentionMs: null, endInclusive: true });
    const six = makeSource(trailLogsSource, { type: 'trail-logs', apiKeyEnv: 'K', windowHours: 6 }, { K: 'secret-key-1' }).source;
    expect(six.policy).toMatchObject({ windowDays: undefined, maxWindowMs: 6 * 3_600_000 });
    expect(six.describeRequest({ index: 0, start: 0, end: 3_600_000 })).toEqual({
      url: 'https://trail.management.global.vidos.id/',
      from: '1970-01-01T00:00:00.000Z',
      to: '1970-01-01T01:00:00.000Z',
    });
    expect(JSON.stringify(six.describeRequest({ index: 0, start: 0, end: 1 }))).not.toContain('secret-key-1');
  });
});
