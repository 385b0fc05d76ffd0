import { LookupEventsCommand, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { isStackOverflow, nestedTooDeep } from '../../errors.js';
import { classifyTransportError, describeTarget, errorCodeOf, type AttemptFailure } from '../../http/classify.js';
import { DeadlinePassed, deadlineFailure, startDeadline } from '../../http/deadline.js';
import { parseRetryAfter } from '../../http/retry.js';
import { interrupted, type RetryStrategy } from '../../http/retry-strategy.js';
import type { PullContext } from '../source.js';
import type { RegionLane } from './clients.js';
import type { LookupAttributeKey } from './config.js';

export interface LookupQuery {
  startSec: number;
  endSec: number;
  maxResults: number;
  attribute?: { key: LookupAttributeKey; value: string };
}

export interface LookupPage {
  /** `Events[]` items in their wire form (EventTime back to epoch seconds). */
  events: Record<string, unknown>[];
  nextToken?: string;
}

/** The API rejected the page token (expired, or not valid for these parameters): restart the sequence. */
export class NextTokenRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NextTokenRejected';
  }
}

/** AWS error names meaning "slow down" (the SDK's throttling list); LookupEvents sends ThrottlingException with HTTP 400. */
const THROTTLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

/** Errors of the credentials, not of the request: retrying cannot help. */
const AUTH_NAMES = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'RequestExpired',
  'AccessDeniedException',
  'AccessDenied',
  'NotAuthorized',
  'CredentialsProviderError',
]);

interface SdkErrorShape {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/**
 * One LookupEvents call under the source's retry strategy, the one the HTTP client uses (the SDK
 * runs with maxAttempts 1): every attempt waits for the (access key, region) token bucket and
 * runs under the request deadline; throttling, 5xx, network and truncated-body failures back off
 * with full jitter (or as long as Retry-After says) and draw on the source's retry budget; each
 * attempt, retry and throttle is counted in the window's stats.
 */
export async function lookupPage(
  lane: RegionLane,
  query: LookupQuery,
  nextToken: string | undefined,
  ctx: PullContext,
  call: { retry: RetryStrategy; requestTimeoutMs: number; label: string; endpoint: string },
): Promise<LookupPage> {
  const input: LookupEventsCommandInput = {
    StartTime: new Date(query.startSec * 1000),
    EndTime: new Date(query.endSec * 1000),
    MaxResults: query.maxResults,
    ...(query.attribute ? { LookupAttributes: [{ AttributeKey: query.attribute.key, AttributeValue: query.attribute.value }] } : {}),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
  const { label } = call;
  const target = describeTarget('POST', new URL(call.endpoint), label);
  return call.retry.run<LookupPage>(
    async () => {
      await lane.limiter.take(ctx.signal);
      ctx.stats.attempts++;
      const deadline = startDeadline(call.requestTimeoutMs, ctx.signal);
      try {
        const out = await lane.client.send(new LookupEventsCommand(input), { abortSignal: deadline.signal });
        return { ok: true, value: { events: (out.Events ?? []).map(toWireItem), ...(out.NextToken ? { nextToken: out.NextToken } : {}) } };
      } catch (e) {
        if (ctx.signal.aborted) throw interrupted(label, ctx.signal, e);
        if (deadline.expired()) return { ok: false, failure: deadlineFailure(new DeadlinePassed(call.requestTimeoutMs, e), target) };
        const err = e as SdkErrorShape;
        if (err.name === 'InvalidNextTokenException' && nextToken) throw new NextTokenRejected(err.message ?? 'InvalidNextTokenException');
        return { ok: false, failure: classifySdkError(e, label, target, ctx.clock.now()) };
      } finally {
        deadline.clear();
      }
    },
    { what: label, signal: ctx.signal, rec: ctx.stats },
  );
}

/** The SDK turns EventTime into a Date; the archive keeps what came over the wire: epoch seconds. */
function toWireItem(event: object): Record<string, unknown> {
  const item: Record<string, unknown> = { ...event };
  if (item.EventTime instanceof Date) item.EventTime = item.EventTime.getTime() / 1000;
  return item;
}

/** An AWS SDK error as the retry strategy's AttemptFailure: the same classes the HTTP client uses. */
function classifySdkError(e: unknown, label: string, target: ReturnType<typeof describeTarget>, now: number): AttemptFailure {
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkErrorShape;
  const name = err.name ?? 'Error';
  const status = err.$metadata?.httpStatusCode;
  const said = (err.message ?? '').replace(/\s+/g, ' ').slice(0, 300);
  if (THROTTLE_NAMES.has(name) || status === 429) {
    const retryAfterMs = parseRetryAfter(err.$response?.headers?.['retry-after'], now);
    return {
      code: 'HTTP_STATUS',
      message: `${label}: throttled (${name}, HTTP ${status ?? '?'})`,
      hint: 'LookupEvents allows 2 requests/s per account and region; lower requestsPerSecond or the number of regions and lookup values run at once',
      status,
      retryable: true,
      throttle: true,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  if (isStackOverflow(e)) return { code: 'DATA_INVALID', message: nestedTooDeep(`${label}: the response`, e).message, retryable: false, throttle: false, cause: e };
  if (AUTH_NAMES.has(name) || status === 401 || status === 403) {
    return {
      code: 'AUTH_REFUSED',
      message: `${label}: AWS refused the credentials (${name}${said ? `: ${said}` : ''})`,
      hint: 'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile, and that the principal may call cloudtrail:LookupEvents',
      status,
      retryable: false,
      throttle: false,
    };
  }
  if (status !== undefined && status >= 500) {
    return { code: 'HTTP_STATUS', message: `${label}: HTTP ${status} (${name}${said ? `: ${said}` : ''})`, status, retryable: true, throttle: false, cause: e };
  }
  if (status !== undefined && status >= 400) {
    // InvalidTimeRange, InvalidLookupAttributes, InvalidMaxResults...: a request this source built wrongly.
    return { code: 'HTTP_STATUS', message: `${label}: LookupEvents refused the request (${name}${said ? `: ${said}` : ''})`, status, retryable: false, throttle: false, cause: e };
  }
  if (errorCodeOf(e) !== undefined) return classifyTransportError(e, target);
  // A 2xx whose body did not parse (a truncated response): the SDK reports a deserialization error.
  if (status !== undefined || name === 'SyntaxError' || /deserializ|JSON|Unexpected end|aborted|socket hang up/i.test(said)) {
    return { code: 'HTTP_BAD_BODY', message: `${label}: unreadable response (${said || name})`, status, retryable: true, throttle: false, cause: e };
  }
  return { code: 'HTTP_NETWORK', message: `${label}: request failed (${name}${said ? `: ${said}` : ''})`, retryable: false, throttle: false, cause: e };
}
