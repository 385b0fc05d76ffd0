import { describe, expect, it } from 'vitest';
import { AWS_AUTH_NAMES, AWS_THROTTLE_NAMES, classifyAwsSdkError } from '../../src/http/aws-error-class.js';
import { describeTarget } from '../../src/http/classify.js';
import { classifyAthenaError } from '../../src/sources/cloudtrail-athena/api-retry.js';

const target = describeTarget('POST', new URL('http://127.0.0.1:1/'), 'Athena GetQueryExecution');
const words = { service: 'Athena', throttleHint: () => 'slow down', authHint: 'fix the keys' };
const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} said so`), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('the AWS error classes LookupEvents and Athena share', () => {
  it('throttling by name (any status) or 429 is retried and counted as a throttle, with the Retry-After asked', () => {
    for (const name of ['ThrottlingException', 'TooManyRequestsException', 'SlowDown']) {
      expect(AWS_THROTTLE_NAMES.has(name)).toBe(true);
      const f = classifyAwsSdkError(sdkError(name, 400), target, 0, words);
      expect(f).toMatchObject({ retryable: true, throttle: true, hint: 'slow down' });
    }
    const f = classifyAwsSdkError(sdkError('Whatever', 429, { $response: { headers: { 'retry-after': '3' } } }), target, 0, words);
    expect(f).toMatchObject({ retryable: true, throttle: true, retryAfterMs: 3000 });
  });

  it('credentials errors stop the run; 5xx and transient names are retried; other 4xx are final', () => {
    expect(AWS_AUTH_NAMES.has('ExpiredTokenException')).toBe(true);
    expect(classifyAwsSdkError(sdkError('ExpiredTokenException', 400), target, 0, words)).toMatchObject({ code: 'AUTH_REFUSED', retryable: false, hint: 'fix the keys' });
    expect(classifyAwsSdkError(sdkError('InternalServerException', 500), target, 0, words)).toMatchObject({ code: 'HTTP_STATUS', retryable: true, throttle: false });
    expect(classifyAwsSdkError(sdkError('InvalidRequestException', 400), target, 0, words)).toMatchObject({ retryable: false, message: expect.stringContaining('Athena refused the request') });
  });

  it("Athena's adapter keeps its own hint for the active-query quota", () => {
    const f = classifyAthenaError(sdkError('TooManyRequestsException', 400, { Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' }), 'StartQueryExecution', 'http://127.0.0.1:1/');
    expect(f).toMatchObject({ retryable: true, throttle: true, hint: expect.stringContaining('too many queries running at once') });
  });
});
