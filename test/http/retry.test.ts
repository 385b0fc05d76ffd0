import { describe, expect, it } from 'vitest';
import { AuditpackError } from '../../src/errors.js';
import { emptyStats } from '../../src/model/coverage.js';
import { httpTestKit, rejection, reply, virtualClock } from './helpers.js';

const kit = httpTestKit({ baseDelayMs: 100, maxDelayMs: 1000 });
const { client, scripted: serve } = kit;

describe('retry on status', () => {
  it.each([429, 500, 502, 503, 504])('retries %i once then succeeds', async (status) => {
    const s = await serve((_q, res, n) => (n === 1 ? reply(res, status, { message: 'busy' }) : reply(res, 200, { ok: n })));
    const rec = emptyStats();
    const out = await client().json<{ ok: number }>({ method: 'GET', url: `${s.url}/x` }, rec);
    expect(out.body).toEqual({ ok: 2 });
    expect(s.requests()).toBe(2);
    expect(rec).toMatchObject({ attempts: 2, retries: 1, throttles: status === 429 ? 1 : 0, retryWaitMs: 50 });
  });

  it.each([
    [400, 'HTTP_STATUS'],
    [401, 'AUTH_REFUSED'],
    [403, 'AUTH_REFUSED'],
    [404, 'HTTP_STATUS'],
  ])('does not retry %i (%s)', async (status, code) => {
    const s = await serve((_q, res) => reply(res, status, { message: `nope ${status}` }));
    const rec = emptyStats();
    const e = await rejection(client().request({ method: 'GET', url: `${s.url}/x` }, rec));
    expect(e.code).toBe(code);
    expect(e.status).toBe(status);
    expect(e.message).toContain(`nope ${status}`);
    expect(s.requests()).toBe(1);
    expect(rec).toMatchObject({ attempts: 1, retries: 0 });
  });

  it('returns passStatuses to the caller without retrying, even retryable ones', async () => {
    const s = await serve((q, res) => reply(res, q.url === '/a' ? 401 : 503, { message: 'x' }));
    const c = client();
    const rec = emptyStats();
    expect((await c.request({ method: 'GET', url: `${s.url}/a`, passStatuses: [401] }, rec)).status).toBe(401);
    expect((await c.json({ method: 'GET', url: `${s.url}/b`, passStatuses: [503] }, rec)).body).toEqual({ message: 'x' });
    expect(s.requests()).toBe(2);
    expect(rec.retries).toBe(0);
  });

  it('json() gives null for an empty passed status (202 "not ready")', async () => {
    const s = await serve((_q, res) => {
      res.writeHead(202);
      res.end();
    });
    const out = await client().json({ method: 'POST', url: s.url, body: '{}', passStatuses: [202] }, emptyStats());
    expect(out).toMatchObject({ status: 202, body: null });
  });

  it('gives up after maxAttempts with the last status', async () => {
    const s = await serve((_q, res) => reply(res, 503, { message: 'down for maintenance' }));
    const rec = emptyStats();
    const e = await rejection(client({ retry: { maxAttempts: 3 } }).request({ method: 'GET', url: s.url, label: 'test page 1' }, rec));
    expect(e.code).toBe('HTTP_STATUS');
    expect(e.status).toBe(503);
    expect(e.message).toBe('test page 1: HTTP 503: down for maintenance (after 3 attempts)');
    expect(rec).toMatchObject({ attempts: 3, retries: 2, retryWaitMs: 50 + 100 });
  });

  it('backs off exponentially with full jitter, capped at maxDelayMs', async () => {
    const s = await serve((_q, res) => reply(res, 500, {}));
    const clock = virtualClock();
    const rec = emptyStats();
    const c = client({ retry: { maxAttempts: 6 } }, clock, () => 0.999);
    await rejection(c.request({ method: 'GET', url: s.url }, rec));
    expect(clock.sleeps).toEqual([99, 199, 399, 799, 999]);
    expect(rec.retryWaitMs).toBe(99 + 199 + 399 + 799 + 999);
  });
});

describe('Retry-After', () => {
  it('honours delta-seconds', async () => {
    const s = await serve((_q, res, n) => (n === 1 ? reply(res, 429, {}, { 'retry-after': '2' }) : reply(res, 200, {})));
    const clock = virtualClock();
    const rec = emptyStats();
    await client({}, clock).request({ method: 'GET', url: s.url }, rec);
    expect(clock.sleeps).toEqual([2000]);
    expect(rec).toMatchObject({ retryWaitMs: 2000, throttles: 1, retries: 1 });
  });

  it('honours an HTTP-date, computed against the injected clock', async () => {
    const clock = virtualClock(Date.UTC(2030, 0, 1, 12, 0, 0));
    const s = await serve((_q, res, n) =>
      n === 1 ? reply(res, 503, {}, { 'retry-after': new Date(clock.now() + 7000).toUTCString() }) : reply(res, 200, {}),
    );
    const rec = emptyStats();
    await client({}, clock).request({ method: 'GET', url: s.url }, rec);
    expect(rec).toMatchObject({ retryWaitMs: 7000, throttles: 0, retries: 1 });
  });

  it('treats a past HTTP-date as "retry now"', async () => {
    const clock = virtualClock(Date.UTC(2030, 0, 1));
    const s = await serve((_q, res, n) => (n === 1 ? reply(res, 429, {}, { 'retry-after': 'Tue, 01 Jan 2030 00:00:00 GMT' }) : reply(res, 200, {})));
    const rec = emptyStats();
    await client({}, clock).request({ method: 'GET', url: s.url }, rec);
    expect(rec.retryWaitMs).toBe(0);
  });

  it('fails clearly when Retry-After exceeds maxRetryAfterMs', async () => {
    const s = await serve((_q, res) => reply(res, 429, { message: 'slow down' }, { 'retry-after': '3600' }));
    const rec = emptyStats();
    const e = await rejection(client({ retry: { maxRetryAfterMs: 60_000 } }).request({ method: 'GET', url: s.url }, rec));
    expect(e.code).toBe('HTTP_STATUS');
    expect(e.status).toBe(429);
    expect(e.message).toMatch(/asks to wait 3600 s .* more than the 60 s allowed/);
    expect(e.hint).toContain('maxRetryAfterMs');
    expect(rec).toMatchObject({ attempts: 1, retries: 0, throttles: 1, retryWaitMs: 0 });
  });
});

describe('retry budget', () => {
  it('is shared by all requests of a client and ends with RETRY_BUDGET_EXHAUSTED', async () => {
    const s = await serve((_q, res) => reply(res, 503, { message: 'still down' }));
    const c = client({ retry: { budget: 3, maxAttempts: 3 } });
    const rec = emptyStats();
    // First request: 2 retries (budget 3 -> 1), then out of attempts.
    expect((await rejection(c.request({ method: 'GET', url: s.url }, rec))).code).toBe('HTTP_STATUS');
    // Second request: 1 retry (budget 1 -> 0), then the budget stops it.
    const e = await rejection(c.request({ method: 'GET', url: s.url }, rec));
    expect(e.code).toBe('RETRY_BUDGET_EXHAUSTED');
    expect(e.cause).toBeInstanceOf(AuditpackError);
    expect((e.cause as AuditpackError).code).toBe('HTTP_STATUS');
    expect((e.cause as AuditpackError).status).toBe(503);
    expect(e.message).toContain('still down');
    expect(s.requests()).toBe(5);
    expect(rec).toMatchObject({ attempts: 5, retries: 3 });
  });

  it('is refunded by retries that succeed', async () => {
    const s = await serve((_q, res, n) => (n % 2 === 1 ? reply(res, 500, {}) : reply(res, 200, {})));
    const c = client({ retry: { budget: 1 } });
    const rec = emptyStats();
    for (let i = 0; i < 5; i++) await c.request({ method: 'GET', url: s.url }, rec);
    expect(rec).toMatchObject({ attempts: 10, retries: 5 });
  });
});

describe('bodies and messages', () => {
  it('retries a 2xx body that is not valid JSON (truncated, cleanly ended) then succeeds', async () => {
    const s = await serve((_q, res, n) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(n === 1 ? '{"items":[1,2' : '{"items":[1,2,3]}');
    });
    const rec = emptyStats();
    const out = await client().json<{ items: number[] }>({ method: 'GET', url: s.url }, rec);
    expect(out.body.items).toEqual([1, 2, 3]);
    expect(rec).toMatchObject({ attempts: 2, retries: 1 });
  });

  it('fails with HTTP_BAD_BODY when the body never parses', async () => {
    const s = await serve((_q, res) => reply(res, 200, '<html>login page</html>'));
    const e = await rejection(client({ retry: { maxAttempts: 2 } }).json({ method: 'GET', url: s.url }, emptyStats()));
    expect(e.code).toBe('HTTP_BAD_BODY');
    expect(s.requests()).toBe(2);
  });

  it('keeps error messages short and free of request headers', async () => {
    const secret = 'Bearer sk-live-SECRET-abcdef123456';
    const long = 'x'.repeat(2000);
    const s = await serve((_q, res) => reply(res, 400, { message: long }));
    const e = await rejection(client().request({ method: 'POST', url: `${s.url}/q?token=querysecret`, headers: { authorization: secret }, body: '{}' }, emptyStats()));
    expect(e.message).not.toContain('SECRET');
    expect(e.message).not.toContain('querysecret');
    expect(e.message.length).toBeLessThan(400);
    expect(e.message).toContain('x'.repeat(200));
  });

  it('sends the default user agent auditpack/<version> and lets the caller override it', async () => {
    const seen: (string | undefined)[] = [];
    const s = await serve((q, res) => {
      seen.push(q.headers['user-agent']);
      reply(res, 200, {});
    });
    await client().request({ method: 'GET', url: s.url }, emptyStats());
    await client().request({ method: 'GET', url: s.url, headers: { 'User-Agent': 'custom/1' } }, emptyStats());
    expect(seen[0]).toMatch(/^auditpack\/\d+\.\d+\.\d+/);
    expect(seen[1]).toBe('custom/1');
  });
});
