import { describe, expect, it } from 'vitest';
import { classifyStatus, classifyTransportError, describeTarget, errorCodeOf, shortBodyMessage } from '../../src/http/classify.js';
import { backoffDelay, createRetryBudget, parseRetryAfter, resolveRetryPolicy } from '../../src/http/retry.js';

const t = describeTarget('POST', new URL('https://api.example.com/v1/logs?key=secret'), undefined);

describe('shortBodyMessage', () => {
  it.each([
    ['{"message":"Invalid nextToken","violations":[]}', 'Invalid nextToken'],
    ['{"error":"invalid_grant","error_description":"token expired"}', 'invalid_grant: token expired'],
    ['{"__type":"ThrottlingException","message":"Rate exceeded"}', 'ThrottlingException: Rate exceeded'],
    ['{"type":"QueryError","message":"not yet finished","action":"retry"}', 'QueryError: not yet finished'],
    ['{"error":{"code":403,"message":"forbidden"}}', 'forbidden'],
    ['{"errors":[{"message":"bad date"}]}', 'bad date'],
    ['<html><body><h1>502 Bad Gateway</h1></body></html>', '502 Bad Gateway'],
    ['  plain\n\ntext  ', 'plain text'],
    ['', ''],
  ])('%s -> %s', (body, said) => {
    expect(shortBodyMessage(body)).toBe(said);
  });

  it('cuts at 300 characters', () => {
    const out = shortBodyMessage(JSON.stringify({ message: 'y'.repeat(1000) }));
    expect(out).toHaveLength(300);
    expect(out.endsWith('…')).toBe(true);
  });
});

describe('classify', () => {
  it('never puts the query string in the target description', () => {
    expect(t.what).toBe('POST api.example.com/v1/logs');
  });

  it('maps statuses to codes', () => {
    const opts = { retryStatuses: [429, 503] };
    expect(classifyStatus(401, '', t, opts)).toMatchObject({ code: 'AUTH_REFUSED', retryable: false });
    expect(classifyStatus(403, '', t, opts)).toMatchObject({ code: 'AUTH_REFUSED', status: 403 });
    expect(classifyStatus(404, '', t, opts)).toMatchObject({ code: 'HTTP_STATUS', status: 404, retryable: false });
    expect(classifyStatus(429, '', t, opts)).toMatchObject({ code: 'HTTP_STATUS', retryable: true, throttle: true });
    expect(classifyStatus(500, '', t, opts)).toMatchObject({ retryable: false });
  });

  it('maps transport errors, looking into AggregateError and cause', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(classifyTransportError(err('UND_ERR_HEADERS_TIMEOUT'), t)).toMatchObject({ code: 'HTTP_TIMEOUT', retryable: true });
    expect(classifyTransportError(err('ECONNRESET'), t)).toMatchObject({ code: 'HTTP_NETWORK', retryable: true });
    expect(classifyTransportError(new AggregateError([err('ECONNREFUSED')]), t)).toMatchObject({ code: 'SOURCE_UNREACHABLE', retryable: true });
    const dns = classifyTransportError(new Error('x', { cause: err('ENOTFOUND') }), t);
    expect(dns).toMatchObject({ code: 'SOURCE_UNREACHABLE' });
    expect(dns.message).toContain('api.example.com:443');
    expect(classifyTransportError(err('DEPTH_ZERO_SELF_SIGNED_CERT'), t)).toMatchObject({ code: 'HTTP_NETWORK', retryable: false });
    expect(errorCodeOf('nope')).toBeUndefined();
  });
});

describe('retry pieces', () => {
  it('parses Retry-After', () => {
    const now = Date.UTC(2030, 0, 1, 0, 0, 0);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('computes full-jitter backoff', () => {
    const p = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, p, () => 0)).toBe(0);
    expect(backoffDelay(3, p, () => 0.5)).toBe(200);
    expect(backoffDelay(10, p, () => 0.5)).toBe(500);
  });

  it('keeps defaults for options left undefined', () => {
    expect(resolveRetryPolicy({ maxAttempts: undefined, budget: 7 })).toMatchObject({ maxAttempts: 5, budget: 7 });
  });

  it('refunds the budget on success, never above the start', () => {
    const b = createRetryBudget(2);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
    b.onSuccess(true);
    expect(b.available()).toBe(1);
    for (let i = 0; i < 20; i++) b.onSuccess(false);
    expect(b.available()).toBe(2);
  });
});
