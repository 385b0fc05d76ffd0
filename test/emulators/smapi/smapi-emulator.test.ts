import { afterEach, describe, expect, it } from 'vitest';
import {
  demoSmapiSetup,
  OPERATION_VARIANTS,
  SMAPI_FORBIDDEN_VENDOR_ID,
  SMAPI_REQUESTERS,
  smapiDemoDirectory,
  startSmapiEmulator,
  type SmapiAuditLog,
  type SmapiEmulator,
  type SmapiEmulatorOptions,
} from '../../../src/emulators/smapi/index.js';
import { manualClock } from '../../../src/util/clock.js';

const PERIOD = { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 9, 11) };
const DAY = 86_400_000;
const open: SmapiEmulator[] = [];
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

async function emulator(opts: SmapiEmulatorOptions = {}): Promise<SmapiEmulator> {
  const emu = await startSmapiEmulator({ seed: 'emulator-tests', period: PERIOD, eventCount: 1000, ...opts });
  open.push(emu);
  return emu;
}

interface Page {
  status: number;
  body: { message?: string; violations?: { code: string; message: string }[]; paginationContext?: { nextToken?: string }; _links?: { self?: { href: string }; next?: { href: string } }; auditLogs?: SmapiAuditLog[] };
}

async function token(emu: SmapiEmulator, form: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(emu.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: emu.credentials.refreshToken,
      client_id: emu.credentials.clientId,
      client_secret: emu.credentials.clientSecret,
      ...form,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function query(emu: SmapiEmulator, body: unknown, auth?: string): Promise<Page> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth !== '') headers.authorization = auth ?? `Bearer ${emu.issueAccessToken()}`;
  const res = await fetch(`${emu.url}/v1/developmentAuditLogs/query`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Page['body'] };
}

/** Every page of a query, following nextToken. */
async function all(emu: SmapiEmulator, body: Record<string, unknown>): Promise<{ logs: SmapiAuditLog[]; pages: Page[] }> {
  const auth = `Bearer ${emu.issueAccessToken()}`;
  const logs: SmapiAuditLog[] = [];
  const pages: Page[] = [];
  let next: string | undefined;
  const pc = (body.paginationContext ?? {}) as Record<string, unknown>;
  do {
    const page = await query(emu, { ...body, paginationContext: { ...pc, ...(next ? { nextToken: next } : {}) } }, auth);
    expect(page.status).toBe(200);
    pages.push(page);
    logs.push(...(page.body.auditLogs ?? []));
    next = page.body.paginationContext?.nextToken;
  } while (next);
  return { logs, pages };
}

const iso = (t: number) => new Date(t).toISOString();

describe('smapi emulator: data set', () => {
  it('is deterministic: same seed, same records; another seed, other records', async () => {
    const a = await emulator();
    const b = await emulator();
    const c = await emulator({ seed: 'other' });
    expect(b.truth.records()).toEqual(a.truth.records());
    expect(c.truth.ids()).not.toEqual(a.truth.ids());
  });

  it('has the shape the issue asks for', async () => {
    const emu = await emulator({ eventCount: 4000, period: { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 10, 1) } });
    const records = emu.truth.records();
    const count = emu.truth.count();
    expect(records).toHaveLength(4000);
    expect(new Set(records.map((r) => r.xAmznRequestId)).size).toBe(4000);
    expect(count.failures / count.events).toBeGreaterThan(0.03);
    expect(count.failures / count.events).toBeLessThan(0.07);
    for (const code of ['400', '401', '403', '404', '429', '500']) expect(count.byCode[code]).toBeGreaterThan(0);
    expect(Object.keys(count.byRequester)).toHaveLength(12);
    expect(Object.keys(count.byClient).length).toBeGreaterThanOrEqual(4);
    // Nearly every operation/version of the emulator's table shows up in a month.
    expect(Object.keys(count.byOperation).length).toBeGreaterThan(OPERATION_VARIANTS.length * 0.9);
    const types = new Set(records.flatMap((r) => (r.resources ?? []).map((x) => x.type)));
    expect([...types].sort()).toEqual(['Export', 'Import', 'InSkillProduct', 'Skill', 'SkillCatalog']);
    expect(records.some((r) => r.userAgent !== undefined)).toBe(true);
    expect(records.some((r) => r.userAgent === undefined)).toBe(true);
    expect(records.every((r) => Number.isInteger(r.httpResponseCode) && r.requester.userId.startsWith('amzn1.account.'))).toBe(true);
    expect(emu.truth.boundaryTimes().length).toBeGreaterThan(5);
    expect(emu.truth.boundaryTimes().every((t) => t % DAY === 0)).toBe(true);
  });

  it('generates 100,000 events', async () => {
    const emu = await emulator({ eventCount: 100_000, period: { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 10, 1) } });
    expect(emu.truth.size).toBe(100_000);
    expect(emu.truth.count({ start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 9, 2) }).events).toBeGreaterThan(1000);
  });

  it('demo directory: the special names, and one requester left out', () => {
    const dir = smapiDemoDirectory();
    const names = dir.map((d) => d.name);
    for (const n of ['Zoë Łukasiewicz', 'Søren Ågård', '山田太郎']) expect(names).toContain(n);
    expect(dir).toHaveLength(SMAPI_REQUESTERS.length - 1);
    const missing = SMAPI_REQUESTERS.filter((r) => !dir.some((d) => d.userId === r.userId));
    expect(missing).toHaveLength(1);
  });

  it('demo setup: a source entry pointing at the emulator and the env that makes it work', async () => {
    const emu = await emulator();
    const { sourceConfig, env } = demoSmapiSetup(emu);
    expect(sourceConfig).toMatchObject({ type: 'smapi', vendorId: emu.vendorId, endpoint: emu.url, auth: { tokenEndpoint: emu.tokenUrl } });
    expect(Object.values(env)).toContain(emu.credentials.clientSecret);
    expect(JSON.stringify(sourceConfig)).not.toContain(emu.credentials.clientSecret);
  });
});

describe('smapi emulator: LWA token endpoint', () => {
  it('exchanges the refresh token for a bearer access token', async () => {
    const emu = await emulator({ accessTokenTtlSeconds: 1234 });
    const t = await token(emu);
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ token_type: 'bearer', expires_in: 1234 });
    expect(typeof t.body.access_token).toBe('string');
    const page = await query(emu, { vendorId: emu.vendorId }, `Bearer ${String(t.body.access_token)}`);
    expect(page.status).toBe(200);
  });

  it('answers OAuth errors as {error, error_description}', async () => {
    const emu = await emulator();
    expect(await token(emu, { refresh_token: 'nope' })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await token(emu, { client_secret: 'nope' })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await token(emu, { grant_type: 'password' })).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    expect(typeof (await token(emu, { refresh_token: 'nope' })).body.error_description).toBe('string');
  });

  it('is not hit by API faults, and can be faulted on its own', async () => {
    const emu = await emulator();
    emu.faults.enqueue({ kind: 'status', status: 500 });
    expect((await token(emu)).status).toBe(200);
    expect((await query(emu, { vendorId: emu.vendorId })).status).toBe(500);
    emu.tokenFaults.enqueue({ kind: 'status', status: 503, retryAfter: '1' });
    const res = await fetch(emu.tokenUrl, { method: 'POST', body: 'grant_type=refresh_token' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await query(emu, { vendorId: emu.vendorId })).status).toBe(200);
  });
});

describe('smapi emulator: auth and vendor', () => {
  it('401 for a missing, malformed, unknown or expired token', async () => {
    const clock = manualClock(Date.UTC(2026, 10, 2));
    const emu = await emulator({ now: clock.now });
    expect((await query(emu, { vendorId: emu.vendorId }, '')).status).toBe(401);
    expect((await query(emu, { vendorId: emu.vendorId }, 'Basic abc')).status).toBe(401);
    expect((await query(emu, { vendorId: emu.vendorId }, 'Bearer Atza|nope')).status).toBe(401);
    const t = emu.issueAccessToken(60);
    expect((await query(emu, { vendorId: emu.vendorId }, `Bearer ${t}`)).status).toBe(200);
    clock.advance(61_000);
    const expired = await query(emu, { vendorId: emu.vendorId }, `Bearer ${t}`);
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/expired/);
  });

  it('400 for a missing or empty vendorId, 404 for an unknown one, 403 for a forbidden one', async () => {
    const emu = await emulator();
    const missing = await query(emu, {});
    expect(missing.status).toBe(400);
    expect(missing.body.violations?.[0].message).toMatch(/vendorId/);
    expect((await query(emu, { vendorId: '' })).status).toBe(400);
    expect((await query(emu, { vendorId: 'x'.repeat(256) })).status).toBe(400);
    expect((await query(emu, { vendorId: 'M0UNKNOWN' })).status).toBe(404);
    expect((await query(emu, { vendorId: SMAPI_FORBIDDEN_VENDOR_ID })).status).toBe(403);
  });
});

describe('smapi emulator: request validation', () => {
  const bad: [string, unknown][] = [
    ['a body that is not JSON', '{"vendorId":'],
    ['an unknown parameter', { vendorId: 'V', sortOrder: 'ASC' }],
    ['an operation name without version', { vendorId: 'V', requestFilters: { operations: [{ name: 'publishSkill' }] } }],
    ['an operation version without name', { vendorId: 'V', requestFilters: { operations: [{ version: 'v1' }] } }],
    ['a numeric response code', { vendorId: 'V', requestFilters: { httpResponseCodes: [403] } }],
    ['an unknown resource type', { vendorId: 'V', requestFilters: { resources: [{ type: 'Catalog' }] } }],
    ['a startTime that is not ISO 8601', { vendorId: 'V', requestFilters: { startTime: 'yesterday' } }],
    ['startTime after endTime', { vendorId: 'V', requestFilters: { startTime: '2026-10-02T00:00:00Z', endTime: '2026-10-01T00:00:00Z' } }],
    ['a bad sortDirection', { vendorId: 'V', sortDirection: 'UP' }],
    ['a bad sortField', { vendorId: 'V', sortField: 'name' }],
    ['maxResults 0', { vendorId: 'V', paginationContext: { maxResults: 0 } }],
    ['maxResults 2.5', { vendorId: 'V', paginationContext: { maxResults: 2.5 } }],
    ['a nextToken over 2047 characters', { vendorId: 'V', paginationContext: { nextToken: 'x'.repeat(2048) } }],
  ];
  for (const [label, body] of bad) {
    it(`400 {message, violations[]} for ${label}`, async () => {
      const emu = await emulator();
      const b = typeof body === 'string' ? body : { ...(body as Record<string, unknown>), vendorId: emu.vendorId };
      const page = await query(emu, b);
      expect(page.status).toBe(400);
      expect(typeof page.body.message).toBe('string');
      expect(page.body.violations?.length).toBeGreaterThan(0);
    });
  }

  it('maxResults: default 50, above 200 clamped (or rejected when the variant says so), as a string too', async () => {
    const emu = await emulator();
    expect((await query(emu, { vendorId: emu.vendorId })).body.auditLogs).toHaveLength(50);
    expect((await query(emu, { vendorId: emu.vendorId, paginationContext: { maxResults: 500 } })).body.auditLogs).toHaveLength(200);
    expect((await query(emu, { vendorId: emu.vendorId, paginationContext: { maxResults: '7' } })).body.auditLogs).toHaveLength(7);
    emu.setVariants({ maxResultsClamp: false });
    expect((await query(emu, { vendorId: emu.vendorId, paginationContext: { maxResults: 201 } })).status).toBe(400);
  });
});

describe('smapi emulator: filters, sort, windows', () => {
  it('returns the response shape of the seed', async () => {
    const emu = await emulator();
    const page = await query(emu, { vendorId: emu.vendorId, paginationContext: { maxResults: 3 } });
    expect(Object.keys(page.body)).toEqual(['paginationContext', '_links', 'auditLogs']);
    expect(page.body._links?.self?.href).toBe('/v1/developmentAuditLogs/query');
    expect(page.body._links?.next?.href).toContain(encodeURIComponent(page.body.paginationContext?.nextToken ?? '-'));
    const r = page.body.auditLogs?.[0];
    expect(r && Object.keys(r)[0]).toBe('xAmznRequestId');
    expect(typeof r?.httpResponseCode).toBe('number');
  });

  it('sorts DESC by timestamp by default, ASC on request', async () => {
    const emu = await emulator();
    const desc = (await query(emu, { vendorId: emu.vendorId })).body.auditLogs ?? [];
    const times = desc.map((r) => Date.parse(r.timestamp));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(times[0]).toBe(Math.max(...emu.truth.records().map((r) => Date.parse(r.timestamp))));
    const asc = (await query(emu, { vendorId: emu.vendorId, sortDirection: 'ASC' })).body.auditLogs ?? [];
    expect(asc.map((r) => r.xAmznRequestId)).toEqual(emu.truth.ids().slice(0, 50));
  });

  it('sorts by httpResponseCode and by requester.userId over all pages', async () => {
    const emu = await emulator();
    const window = { startTime: iso(PERIOD.start + DAY), endTime: iso(PERIOD.start + 2 * DAY) };
    const byCode = await all(emu, { vendorId: emu.vendorId, requestFilters: window, sortField: 'httpResponseCode', sortDirection: 'ASC', paginationContext: { maxResults: 30 } });
    const codes = byCode.logs.map((r) => r.httpResponseCode);
    expect(codes).toEqual([...codes].sort((a, b) => a - b));
    expect(byCode.logs).toHaveLength(emu.truth.count({ start: PERIOD.start + DAY, end: PERIOD.start + 2 * DAY }).events);
    const byUser = await all(emu, { vendorId: emu.vendorId, requestFilters: window, sortField: 'requester.userId', sortDirection: 'DESC' });
    const users = byUser.logs.map((r) => r.requester.userId);
    expect(users).toEqual([...users].sort().reverse());
  });

  it('each filter returns exactly the matching events (OR within a filter, AND across)', async () => {
    const emu = await emulator();
    const records = emu.truth.records();
    const skill = records.find((r) => r.resources?.[0]?.type === 'Skill')?.resources?.[0].id ?? '';
    const user = SMAPI_REQUESTERS[1].userId;
    const client = records[0].client.id;
    const cases: [Record<string, unknown>, (r: SmapiAuditLog) => boolean][] = [
      [{ httpResponseCodes: ['403', '500'] }, (r) => r.httpResponseCode === 403 || r.httpResponseCode === 500],
      [{ operations: [{ name: 'getSkillManifest', version: 'v1' }] }, (r) => r.operation.name === 'getSkillManifest' && r.operation.version === 'v1'],
      [{ requesters: [{ userId: user }] }, (r) => r.requester.userId === user],
      [{ clients: [{ id: client }] }, (r) => r.client.id === client],
      [{ resources: [{ id: skill }] }, (r) => (r.resources ?? []).some((x) => x.id === skill)],
      [{ resources: [{ type: 'Import' }] }, (r) => (r.resources ?? []).some((x) => x.type === 'Import')],
      [
        { requesters: [{ userId: user }], httpResponseCodes: ['200'] },
        (r) => r.requester.userId === user && r.httpResponseCode === 200,
      ],
    ];
    for (const [filters, pred] of cases) {
      const got = await all(emu, { vendorId: emu.vendorId, requestFilters: filters, sortDirection: 'ASC', paginationContext: { maxResults: 200 } });
      const expected = records.filter(pred).map((r) => r.xAmznRequestId);
      expect(expected.length).toBeGreaterThan(0);
      expect(got.logs.map((r) => r.xAmznRequestId)).toEqual(expected);
    }
  });

  it('startTime inclusive, endTime exclusive; the inclusiveEnd variant also returns events at endTime', async () => {
    const emu = await emulator();
    const boundary = emu.truth.boundaryTimes().find((t) => t > PERIOD.start) ?? 0;
    expect(boundary).toBeGreaterThan(0);
    const atBoundary = emu.truth.records().filter((r) => Date.parse(r.timestamp) === boundary).map((r) => r.xAmznRequestId);
    const before = { startTime: iso(boundary - DAY), endTime: iso(boundary) };
    const after = { startTime: iso(boundary), endTime: iso(boundary + DAY) };
    const ids = async (f: Record<string, string>) =>
      (await all(emu, { vendorId: emu.vendorId, requestFilters: f, paginationContext: { maxResults: 200 } })).logs.map((r) => r.xAmznRequestId);
    for (const id of atBoundary) {
      expect(await ids(before)).not.toContain(id);
      expect(await ids(after)).toContain(id);
    }
    emu.setVariants({ inclusiveEnd: true });
    for (const id of atBoundary) expect(await ids(before)).toContain(id);
  });

  it('short pages carry fewer than maxResults and still a nextToken, down to a last empty page', async () => {
    const emu = await emulator({ variants: { shortPages: true } });
    const window = { startTime: iso(PERIOD.start), endTime: iso(PERIOD.start + 2 * DAY) };
    const got = await all(emu, { vendorId: emu.vendorId, requestFilters: window, sortDirection: 'ASC', paginationContext: { maxResults: 10 } });
    expect(got.logs.map((r) => r.xAmznRequestId)).toEqual(emu.truth.ids({ start: PERIOD.start, end: PERIOD.start + 2 * DAY }));
    const withToken = got.pages.filter((p) => p.body.paginationContext?.nextToken);
    expect(withToken.every((p) => (p.body.auditLogs ?? []).length < 10)).toBe(true);
    expect(got.pages[got.pages.length - 1].body.auditLogs).toHaveLength(0);
  });
});

describe('smapi emulator: added latency', () => {
  it('answers no sooner than latencyMs after the request arrived', async () => {
    const emu = await emulator({ latencyMs: 60 });
    const t0 = performance.now();
    const page = await query(emu, { vendorId: emu.vendorId });
    expect(page.status).toBe(200);
    // setTimeout may fire a millisecond early; never 60 ms early.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(58);
  });
});

describe('smapi emulator: switching from outside the process', () => {
  it('POST /__emulator/behaviour switches the undocumented variants; bad keys are a 400; control calls are neither faulted nor counted', async () => {
    const emu = await emulator();
    emu.faults.enqueue({ kind: 'status', status: 503 });
    const control = (body: string) => fetch(`${emu.url}/__emulator/behaviour`, { method: 'POST', body });
    const ok = await control(JSON.stringify({ shortPages: true, inclusiveEnd: true }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ shortPages: true, inclusiveEnd: true, maxResultsClamp: true });
    expect(emu.variants).toMatchObject({ shortPages: true, inclusiveEnd: true });
    expect((await control(JSON.stringify({ shortPage: true }))).status).toBe(400);
    expect((await control(JSON.stringify({ shortPages: 'yes' }))).status).toBe(400);
    expect(emu.variants.shortPages).toBe(true);
    expect(emu.requestCount()).toBe(0);
    expect(emu.faults.injected()).toBe(0);
    // The queued fault is still there for the API, and the variant now shapes its pages.
    expect((await query(emu, { vendorId: emu.vendorId })).status).toBe(503);
    const page = await query(emu, { vendorId: emu.vendorId, paginationContext: { maxResults: 10 } });
    expect(page.body.auditLogs!.length).toBeLessThan(10);
  });
});

describe('smapi emulator: nextToken', () => {
  it('is bound to the query, tamper-evident, and expires after one hour on the emulator clock', async () => {
    const clock = manualClock(Date.UTC(2026, 10, 2));
    const emu = await emulator({ now: clock.now, accessTokenTtlSeconds: 86_400 });
    const auth = `Bearer ${emu.issueAccessToken()}`;
    const body = { vendorId: emu.vendorId, requestFilters: { startTime: iso(PERIOD.start), endTime: iso(PERIOD.end) }, paginationContext: { maxResults: 10 } };
    const first = await query(emu, body, auth);
    const next = first.body.paginationContext?.nextToken ?? '';
    expect(next.length).toBeGreaterThan(0);
    expect(next.length).toBeLessThanOrEqual(2047);
    const ok = await query(emu, { ...body, paginationContext: { maxResults: 10, nextToken: next } }, auth);
    expect(ok.status).toBe(200);
    expect(ok.body.auditLogs?.[0].xAmznRequestId).not.toBe(first.body.auditLogs?.[0].xAmznRequestId);

    const otherQuery = await query(emu, { ...body, sortDirection: 'ASC', paginationContext: { nextToken: next } }, auth);
    expect(otherQuery.status).toBe(400);
    expect(otherQuery.body.message).toMatch(/nextToken/);
    const tampered = await query(emu, { ...body, paginationContext: { nextToken: `${next.slice(0, -2)}xx` } }, auth);
    expect(tampered.status).toBe(400);
    const garbage = await query(emu, { ...body, paginationContext: { nextToken: 'Vxjbbbbbbbbaa' } }, auth);
    expect(garbage.status).toBe(400);

    clock.advance(60 * 60_000);
    expect((await query(emu, { ...body, paginationContext: { nextToken: next } }, auth)).status).toBe(200);
    clock.advance(60_001);
    const expired = await query(emu, { ...body, paginationContext: { nextToken: next } }, auth);
    expect(expired.status).toBe(400);
    expect(expired.body.message).toMatch(/expired/);
    expect(emu.stats().expiredNextTokens).toBe(1);
  });
});
