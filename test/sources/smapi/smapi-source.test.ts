import { afterEach, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { locatePage } from '../../../src/pack/locate-page.js';
import { recordFingerprint } from '../../../src/util/content-fingerprint.js';
import { startSmapiEmulator, SMAPI_FORBIDDEN_VENDOR_ID, type SmapiEmulator, type SmapiEmulatorOptions } from '../../../src/emulators/smapi/index.js';
import type { Fault } from '../../../src/emulators/kit/faults.js';
import { manualClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { emptyStats } from '../../../src/model/coverage.js';
import { smapiSource } from '../../../src/sources/smapi/index.js';
import { buildSource, dayWindows, DAY, EVENT_COUNT, extra, failure, PERIOD, pullAll, sortedIds, sum, type Built } from './harness.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

async function emulator(opts: SmapiEmulatorOptions = {}): Promise<SmapiEmulator> {
  const emu = await startSmapiEmulator({ seed: 'source-tests', period: PERIOD, eventCount: EVENT_COUNT, ...opts });
  open.push(emu);
  return emu;
}

function track(b: Built): Built {
  open.push(b);
  return b;
}

const truthIds = (emu: SmapiEmulator, start = PERIOD.start, end = PERIOD.end) => emu.truth.ids({ start, end }).sort();

describe('smapi source against the emulator: every event exactly once', () => {
  it('pulls every window of the period and matches the ground truth', async () => {
    const emu = await emulator();
    const b = track(buildSource(emu));
    const run = await pullAll(b, dayWindows());
    expect(run.events.size).toBe(EVENT_COUNT);
    expect(sortedIds(run)).toEqual(truthIds(emu));
    const truth = emu.truth.count({ start: PERIOD.start, end: PERIOD.end });
    const events = [...run.events.values()];
    expect(events.filter((e) => e.outcome === 'failure').length).toBe(truth.failures);
    const byOp: Record<string, number> = {};
    for (const e of events) byOp[e.operation] = (byOp[e.operation] ?? 0) + 1;
    expect(byOp).toEqual(truth.byOperation);
    const byCode: Record<string, number> = {};
    for (const e of events) byCode[e.responseCode] = (byCode[e.responseCode] ?? 0) + 1;
    expect(byCode).toEqual(truth.byCode);
    expect(sum(run, (s) => s.pages)).toBeGreaterThan(dayWindows().length);
    expect(run.restarts).toBe(0);
  });

  it('normalizes a record: id, time, operation name.version, requester, client, resources, response code', async () => {
    const emu = await emulator();
    const b = track(buildSource(emu));
    const raw = emu.truth.records().find((r) => r.userAgent !== undefined && r.resources !== undefined && r.httpResponseCode >= 400);
    expect(raw).toBeDefined();
    if (!raw) return;
    const e = b.source.normalize(raw);
    expect(e).toEqual({
      id: raw.xAmznRequestId,
      time: Date.parse(raw.timestamp),
      source: 'smapi',
      sourceType: 'smapi',
      service: 'smapi',
      operation: `${raw.operation.name}.${raw.operation.version}`,
      outcome: 'failure',
      responseCode: String(raw.httpResponseCode),
      requester: { id: raw.requester.userId },
      client: { id: raw.client.id, name: raw.client.name },
      resources: raw.resources,
      userAgent: raw.userAgent,
      attributes: { operationName: raw.operation.name, operationVersion: raw.operation.version },
    });
    expect(b.source.normalize({ ...raw, httpResponseCode: 200 })?.outcome).toBe('success');
    expect(b.source.normalize({ ...raw, timestamp: '2019-06-03T22:58:24.0Z' })?.time).toBe(Date.UTC(2019, 5, 3, 22, 58, 24));
    expect(() => b.source.normalize({ ...raw, xAmznRequestId: undefined })).toThrow(/xAmznRequestId/);
  });

  it('describes the request body exactly as sent, without page token or secrets', async () => {
    const emu = await emulator();
    const b = track(
      buildSource(emu, {
        override: (c) => ({ ...c, name: 'alexa', filters: { httpResponseCodes: [403, '500'], operations: [{ name: 'publishSkill', version: 'v1' }] } }),
      }),
    );
    const w = dayWindows()[2];
    expect(b.source.name).toBe('alexa');
    expect(b.source.describeRequest(w)).toEqual({
      vendorId: emu.vendorId,
      requestFilters: {
        operations: [{ name: 'publishSkill', version: 'v1' }],
        httpResponseCodes: ['403', '500'],
        startTime: new Date(w.start).toISOString(),
        endTime: new Date(w.end).toISOString(),
      },
      sortDirection: 'ASC',
      sortField: 'timestamp',
      paginationContext: { maxResults: 40 },
    });
    expect(b.source.policy).toMatchObject({ maxWindowMs: null, windowDays: 1, retentionMs: null, endInclusive: true, pageSize: 40, concurrency: 4 });
    expect(b.source.estimateRequests?.(w)).toBeGreaterThanOrEqual(1);
  });

  it('applies configured filters on the server (only matching events come back)', async () => {
    const emu = await emulator();
    const filters = { httpResponseCodes: ['403', '404'] };
    const b = track(buildSource(emu, { override: (c) => ({ ...c, filters }) }));
    const run = await pullAll(b, dayWindows());
    const expected = emu.truth.ids({ start: PERIOD.start, end: PERIOD.end, filters }).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(sortedIds(run)).toEqual(expected);
  });

  it('each page carries its bytes as received, where its records are found one per line (archived and fingerprinted as they are)', async () => {
    const emu = await emulator();
    const b = track(buildSource(emu));
    const [w] = dayWindows();
    const stats = emptyStats();
    let pages = 0;
    for await (const item of b.source.pull!(w, { http: b.http, signal: new AbortController().signal, log: silentLogger, clock: b.clock, stats, progress() {} })) {
      if (item.kind !== 'page' || item.records.length === 0) continue;
      pages++;
      const located = locatePage(item.received!.bytes, item.received!.arrayKey, item.records.length)!;
      expect(gunzipSync(located.member).toString()).toBe(item.records.map((r) => JSON.stringify(r) + '\n').join(''));
      expect(Array.from(located.contents)).toEqual(item.records.map((r) => recordFingerprint('id', r)));
    }
    expect(pages).toBeGreaterThan(1);
  });

  it('pulls windows in parallel with one shared token', async () => {
    const emu = await emulator();
    const b = track(buildSource(emu));
    const run = await pullAll(b, dayWindows(), { parallel: true });
    expect(sortedIds(run)).toEqual(truthIds(emu));
    expect(emu.stats().tokenGrants).toBe(1);
  });
});

describe('smapi source under faults', () => {
  const cases: [string, Fault, number][] = [
    ['429 bursts with Retry-After', { kind: 'status', status: 429, retryAfter: '0' }, 2],
    ['500', { kind: 'status', status: 500 }, 3],
    ['503 with an HTTP-date Retry-After', { kind: 'status', status: 503, retryAfter: new Date(0).toUTCString() }, 3],
    ['connection resets', { kind: 'reset' }, 3],
    ['slow responses', { kind: 'slow', delayMs: 20 }, 3],
    ['slow bodies', { kind: 'slow-body', delayMs: 20 }, 4],
    ['truncated JSON', { kind: 'truncate' }, 3],
  ];
  for (const [label, fault, every] of cases) {
    it(`${label}: still every event exactly once`, async () => {
      const emu = await emulator();
      emu.faults.every(every, fault);
      const b = track(buildSource(emu));
      const run = await pullAll(b, dayWindows());
      expect(sortedIds(run)).toEqual(truthIds(emu));
      expect(emu.faults.injected()).toBeGreaterThan(0);
      if (fault.kind !== 'slow' && fault.kind !== 'slow-body') expect(sum(run, (s) => s.retries)).toBeGreaterThan(0);
      if (fault.kind === 'status' && fault.status === 429) expect(sum(run, (s) => s.throttles)).toBeGreaterThan(0);
    });
  }

  it('a burst of 429s in a row is waited out', async () => {
    const emu = await emulator();
    const throttle: Fault = { kind: 'status', status: 429, retryAfter: '0' };
    emu.faults.enqueue(throttle, throttle, throttle, throttle);
    const b = track(buildSource(emu));
    const run = await pullAll(b, dayWindows().slice(0, 2));
    expect(sortedIds(run)).toEqual(truthIds(emu, PERIOD.start, PERIOD.start + 2 * DAY));
    expect(sum(run, (s) => s.throttles)).toBe(4);
  });

  it('short and empty pages that still carry a nextToken', async () => {
    const emu = await emulator({ variants: { shortPages: true } });
    const b = track(buildSource(emu, { override: (c) => ({ ...c, pageSize: 8 }) }));
    const run = await pullAll(b, dayWindows());
    expect(sortedIds(run)).toEqual(truthIds(emu));
    expect(extra(run, 'shortPages')).toBeGreaterThan(0);
    expect(extra(run, 'emptyPages')).toBeGreaterThan(0);
  });

  it('an inclusive endTime: events on the boundary come back twice and are kept once, in the right window', async () => {
    const emu = await emulator({ variants: { inclusiveEnd: true } });
    const interior = emu.truth.boundaryTimes().filter((t) => t > PERIOD.start && t < PERIOD.end);
    expect(interior.length).toBeGreaterThan(0);
    const b = track(buildSource(emu));
    const run = await pullAll(b, dayWindows());
    expect(sortedIds(run)).toEqual(truthIds(emu));
    expect(run.outsidePeriod).toBe(interior.length);
    for (const t of interior) {
      const at = [...run.events.values()].filter((e) => e.time === t);
      expect(at.length).toBeGreaterThan(0);
    }
  });

  it('a nextToken that expires mid-window (server clock +61 min): the window restarts, still exactly once', async () => {
    const emuClock = manualClock(Date.UTC(2026, 10, 2));
    const emu = await emulator({ now: emuClock.now, accessTokenTtlSeconds: 30 * 86_400 });
    const b = track(buildSource(emu));
    const w4 = dayWindows()[4];
    expect(emu.truth.count({ start: w4.start, end: w4.end }).events).toBeGreaterThan(40);
    let advanced = false;
    const run = await pullAll(b, dayWindows(), {
      onPage: (w, page) => {
        if (w.index === 4 && page === 1 && !advanced) {
          advanced = true;
          emuClock.advance(61 * 60_000);
        }
      },
    });
    expect(sortedIds(run)).toEqual(truthIds(emu));
    expect(run.restarts).toBe(1);
    expect(sum(run, (s) => s.restarts)).toBe(1);
    expect(emu.stats().expiredNextTokens).toBe(1);
    // The first page of window 4 was read twice: re-reads, not new events.
    expect(run.recordsReceived).toBeGreaterThan(EVENT_COUNT);
  });

  it('the source restarts on its own before sending a token it knows is an hour old (shared clock)', async () => {
    const clock = manualClock(Date.UTC(2026, 10, 2));
    const emu = await emulator({ now: clock.now, accessTokenTtlSeconds: 30 * 86_400 });
    const b = track(buildSource(emu, { clock }));
    const w4 = dayWindows()[4];
    // The window has more than one page, so there is a token to grow old.
    expect(emu.truth.count({ start: w4.start, end: w4.end }).events).toBeGreaterThan(40);
    let advanced = false;
    const run = await pullAll(b, dayWindows(), {
      onPage: (w, page) => {
        if (w.index === 4 && page === 1 && !advanced) {
          advanced = true;
          clock.advance(61 * 60_000);
        }
      },
    });
    expect(sortedIds(run)).toEqual(truthIds(emu));
    expect(run.restarts).toBe(1);
    expect(emu.stats().rejectedNextTokens).toBe(0);
  });

  it('a token rejected on every pass: each pass continues where the last ended, so the window still completes', async () => {
    const emuClock = manualClock(Date.UTC(2026, 10, 2));
    const emu = await emulator({ now: emuClock.now, accessTokenTtlSeconds: 30 * 86_400 });
    const b = track(buildSource(emu));
    const w = dayWindows()[0];
    const truth = emu.truth.count({ start: w.start, end: w.end }).events;
    expect(truth).toBeGreaterThan(3 * 40);
    // Every token is an hour old when used: each pass gets exactly one page, then continues from its last record.
    const run = await pullAll(b, [w], { onPage: () => emuClock.advance(61 * 60_000) });
    expect(sortedIds(run)).toEqual(truthIds(emu, w.start, w.end));
    expect(run.restarts).toBe(emu.stats().expiredNextTokens);
    expect(run.restarts).toBeGreaterThanOrEqual(3);
    // Only the record at each resume point is read again.
    expect(run.recordsReceived - truth).toBeLessThanOrEqual(run.restarts);
  });

  it('rejected tokens that make no progress: PAGE_TOKEN_INVALID after 3 restarts in a row', async () => {
    const emu = await emulator();
    // One record a page, and every request carrying a token refused: each pass reads the record at
    // its resume point again and gets no further.
    emu.faults.every(2, { kind: 'status', status: 400, body: JSON.stringify({ message: 'The nextToken has expired.' }) });
    const b = track(buildSource(emu, { override: (c) => ({ ...c, pageSize: 1 }) }));
    const err = await failure(() => pullAll(b, dayWindows().slice(0, 1)));
    expect(err.code).toBe('PAGE_TOKEN_INVALID');
    expect(err.message).toMatch(/rejected 3 times in a row without progress from 2026-10-01T/);
  });

  it('a server that expires 1 token in 7 on a 50-page window: continued, never restarted from the start, exactly once', async () => {
    const day = { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 9, 2) };
    const emu = await startSmapiEmulator({ seed: 'lossy-tokens', period: day, eventCount: 2000, expireEveryNthToken: 7 });
    open.push(emu);
    const b = track(buildSource(emu));
    const run = await pullAll(b, [{ index: 0, ...day }]);
    expect(run.events.size).toBe(2000);
    expect(sortedIds(run)).toEqual(emu.truth.ids(day).sort());
    const expired = emu.stats().expiredNextTokens;
    expect(expired).toBeGreaterThanOrEqual(6);
    expect(run.restarts).toBe(expired);
    // Restarting from the window's start re-read 2–8% of the window each time; continuing re-reads
    // only the records at each resume point's millisecond.
    expect(run.recordsReceived - 2000).toBeLessThanOrEqual(2 * expired);
    expect(sum(run, (s) => s.pages)).toBeLessThanOrEqual(50 + expired + 1);
  });

  it('a 400 on a later page is taken as a rejected token whatever its wording: the window restarts, exactly once', async () => {
    const emu = await emulator();
    const w4 = dayWindows()[4];
    expect(emu.truth.count({ start: w4.start, end: w4.end }).events).toBeGreaterThan(40);
    // Request 1 is page 1 of the window (the token endpoint is never faulted), request 2 carries its nextToken.
    emu.faults.every(2, { kind: 'status', status: 400, body: JSON.stringify({ message: 'Bad request.' }) }, { times: 1 });
    const b = track(buildSource(emu));
    const run = await pullAll(b, [w4]);
    expect(sortedIds(run)).toEqual(truthIds(emu, w4.start, w4.end));
    expect(run.restarts).toBe(1);
    expect(emu.faults.injected()).toBe(1);
  });

  it('an access token that expires is refreshed before it is used (60 s margin)', async () => {
    const clock = manualClock(Date.UTC(2026, 10, 2));
    const emu = await emulator({ now: clock.now, accessTokenTtlSeconds: 600 });
    const b = track(buildSource(emu, { clock }));
    const run = await pullAll(b, dayWindows(), { onPage: () => clock.advance(3 * 60_000) });
    expect(sortedIds(run)).toEqual(truthIds(emu));
    expect(emu.stats().tokenGrants).toBeGreaterThan(2);
    expect(emu.stats().unauthorized).toBe(0);
  });

  it('a short-lived access token (20 s) is refreshed relative to its lifetime, not a minute early on every call', async () => {
    const clock = manualClock(Date.UTC(2026, 10, 2));
    const emu = await emulator({ now: clock.now, accessTokenTtlSeconds: 20 });
    const b = track(buildSource(emu, { clock }));
    const run = await pullAll(b, dayWindows(), { onPage: () => clock.advance(1000) });
    expect(sortedIds(run)).toEqual(truthIds(emu));
    const pages = sum(run, (s) => s.pages);
    expect(pages).toBeGreaterThanOrEqual(30);
    // One page a second: a token lives 20 pages and is refreshed 4 s (a fifth) before it ends.
    expect(emu.stats().tokenGrants).toBeLessThanOrEqual(Math.ceil(pages / 16) + 1);
    expect(emu.stats().unauthorized).toBe(0);
  });

  it('a 401 refreshes the token once and retries the page', async () => {
    const emu = await emulator();
    const b = track(buildSource(emu));
    let revoked = false;
    const run = await pullAll(b, dayWindows(), {
      onPage: (w, page) => {
        if (w.index === 1 && page === 1 && !revoked) {
          revoked = true;
          emu.revokeAccessTokens();
        }
      },
    });
    expect(sortedIds(run)).toEqual(truthIds(emu));
    expect(emu.stats().unauthorized).toBe(1);
    expect(emu.stats().tokenGrants).toBe(2);
    expect(extra(run, 'authRefreshesOn401')).toBe(1);
  });

  it('a second 401 right after the refresh: AUTH_REFUSED', async () => {
    const emu = await emulator();
    emu.faults.enqueue({ kind: 'status', status: 401 }, { kind: 'status', status: 401 });
    const b = track(buildSource(emu));
    const err = await failure(() => pullAll(b, dayWindows().slice(0, 1)));
    expect(err.code).toBe('AUTH_REFUSED');
    expect(err.message).toMatch(/401/);
    expect(err.message).not.toContain('\n');
    expect(emu.stats().tokenGrants).toBe(2);
  });

  it('a static access token works, and a 401 on it is AUTH_REFUSED (nothing to refresh)', async () => {
    const emu = await emulator();
    const token = emu.issueAccessToken();
    const b = track(
      buildSource(emu, {
        env: { SMAPI_TOKEN: token },
        override: (c) => ({ ...c, auth: { accessTokenEnv: 'SMAPI_TOKEN' } }),
      }),
    );
    const run = await pullAll(b, dayWindows().slice(0, 1));
    expect(sortedIds(run)).toEqual(truthIds(emu, PERIOD.start, PERIOD.start + DAY));
    emu.revokeAccessTokens();
    const err = await failure(() => pullAll(b, dayWindows().slice(1, 2)));
    expect(err.code).toBe('AUTH_REFUSED');
    expect(err.message).not.toContain(token);
    expect(emu.stats().tokenRequests).toBe(0);
  });

  it('the token endpoint failing transiently (503) is retried', async () => {
    const emu = await emulator();
    emu.tokenFaults.enqueue({ kind: 'status', status: 503 }, { kind: 'truncate' });
    const b = track(buildSource(emu));
    const run = await pullAll(b, dayWindows().slice(0, 1));
    expect(sortedIds(run)).toEqual(truthIds(emu, PERIOD.start, PERIOD.start + DAY));
    expect(emu.stats().tokenRequests).toBe(3);
    expect(emu.faults.injected()).toBe(0);
  });
});

describe('smapi source: refusals give one-line errors without secrets', () => {
  it('403 (vendor not permitted): AUTH_REFUSED', async () => {
    const emu = await emulator();
    const b = track(buildSource(emu, { override: (c) => ({ ...c, vendorId: SMAPI_FORBIDDEN_VENDOR_ID }) }));
    const err = await failure(() => pullAll(b, dayWindows().slice(0, 1)));
    expect(err.code).toBe('AUTH_REFUSED');
    expect(err.fatal).toBe(true);
    expect(err.message).toContain(`not permitted for vendor ${SMAPI_FORBIDDEN_VENDOR_ID}`);
  });

  it('unknown vendor (404): SOURCE_NOT_FOUND', async () => {
    const emu = await emulator();
    const b = track(buildSource(emu, { override: (c) => ({ ...c, vendorId: 'M9NOSUCHVENDOR' }) }));
    const err = await failure(() => pullAll(b, dayWindows().slice(0, 1)));
    expect(err.code).toBe('SOURCE_NOT_FOUND');
    expect(err.message).toContain('vendor M9NOSUCHVENDOR not found');
  });

  it('a bad refresh token: AUTH_REFUSED naming invalid_grant', async () => {
    const emu = await emulator();
    const b = track(buildSource(emu, { env: { AUDITPACK_DEMO_LWA_REFRESH_TOKEN: 'Atzr|IwEBInvalidRefreshToken0000000000' } }));
    const err = await failure(() => pullAll(b, dayWindows().slice(0, 1)));
    expect(err.code).toBe('AUTH_REFUSED');
    expect(err.message).toContain('invalid_grant');
    expect(err.message).not.toContain('Atzr|IwEBInvalidRefreshToken0000000000');
  });

  it('a bad client secret: AUTH_REFUSED naming invalid_client', async () => {
    const emu = await emulator();
    const b = track(buildSource(emu, { env: { AUDITPACK_DEMO_LWA_CLIENT_SECRET: 'wrong-secret-value-123' } }));
    const err = await failure(() => pullAll(b, dayWindows().slice(0, 1)));
    expect(err.code).toBe('AUTH_REFUSED');
    expect(err.message).toContain('invalid_client');
  });

  it('an unset environment variable: SECRET_MISSING naming the variable', async () => {
    const emu = await emulator();
    const b = track(buildSource(emu, { override: (c) => ({ ...c, auth: { ...c.auth, clientSecretEnv: 'NOT_SET_ANYWHERE_SMAPI' } }) }));
    const err = await failure(() => pullAll(b, dayWindows().slice(0, 1)));
    expect(err.code).toBe('SECRET_MISSING');
    expect(err.message).toContain('NOT_SET_ANYWHERE_SMAPI');
  });

  it('no secret appears in any error message, hint or request description', async () => {
    const emu = await emulator();
    const secrets = [emu.credentials.clientSecret, emu.credentials.refreshToken, emu.credentials.clientId];
    const texts: string[] = [];
    const collect = async (b: Built) => {
      track(b);
      texts.push(JSON.stringify(b.source.describeRequest(dayWindows()[0])));
      const err = await failure(() => pullAll(b, dayWindows().slice(0, 1)));
      texts.push(err.message, err.hint ?? '', err.oneLine);
      return b;
    };
    const forbidden = await collect(buildSource(emu, { override: (c) => ({ ...c, vendorId: SMAPI_FORBIDDEN_VENDOR_ID }) }));
    await collect(buildSource(emu, { override: (c) => ({ ...c, vendorId: 'M9NOSUCHVENDOR' }) }));
    await collect(buildSource(emu, { env: { AUDITPACK_DEMO_LWA_REFRESH_TOKEN: 'Atzr|IwEBBadRefresh99999999' } }));
    secrets.push('Atzr|IwEBBadRefresh99999999');
    emu.faults.enqueue({ kind: 'status', status: 401 }, { kind: 'status', status: 401 });
    const twice = await collect(buildSource(emu));
    // The access tokens that were issued and used:
    const accessSeen = [forbidden, twice].map((b) => b.redactor);
    for (const t of texts) {
      for (const s of secrets) expect(t).not.toContain(s);
      for (const r of accessSeen) expect(r.leaks(t)).toBe(false);
    }
  });

  it('rejects configs without vendorId or auth, with messages that name the field', () => {
    const missingVendor = smapiParse({ type: 'smapi', auth: { accessTokenEnv: 'X' } });
    expect(missingVendor).toMatch(/vendorId/);
    expect(smapiParse({ type: 'smapi', vendorId: '', auth: { accessTokenEnv: 'X' } })).toMatch(/vendorId/);
    expect(smapiParse({ type: 'smapi', vendorId: 'M1', auth: {} })).toMatch(/refreshTokenEnv/);
    expect(smapiParse({ type: 'smapi', vendorId: 'M1', auth: { refreshTokenEnv: 'R' } })).toMatch(/clientIdEnv and clientSecretEnv/);
    expect(smapiParse({ type: 'smapi', vendorId: 'M1', auth: { accessTokenEnv: 'X' }, pageSize: 500 })).toMatch(/pageSize/);
    expect(smapiParse({ type: 'smapi', vendorId: 'M1', auth: { accessTokenEnv: 'X' }, extra: 1 })).toMatch(/extra/);
    expect(smapiParse({ type: 'smapi', vendorId: 'M1', auth: { accessTokenEnv: 'X' } })).toBe('ok');
  });
});

function smapiParse(input: unknown): string {
  const r = smapiSource.configSchema.safeParse(input);
  if (r.success) return 'ok';
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
}
