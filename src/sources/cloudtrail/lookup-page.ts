import { LookupEventsCommand, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { AuditpackError } from '../../errors.js';
import { classifyTransportError, describeTarget, errorCodeOf, type AttemptFailure } from '../../http/classify.js';
import { backoffDelay } from '../../http/retry.js';
import type { PullContext } from '../source.js';
import type { RegionLane } from './clients.js';
import type { LookupAttributeKey } from './config.js';

export interface LookupQuery {
  startSec: number;
  endSec: number;
  maxResults: number;
  attribute?: { key: LookupAttributeKey; value: string };
}

export interface LookupRetry {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
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
}

/**
 * One LookupEvents call with our own retries (the SDK runs with maxAttempts 1): every attempt
 * waits for the (access key, region) token bucket, throttling and 5xx/network/truncated-body
 * failures back off with full jitter, and each is counted in the window's stats.
 */
export async function lookupPage(
  lane: RegionLane,
  query: LookupQuery,
  nextToken: string | undefined,
  ctx: PullContext,
  retry: LookupRetry,
  label: string,
  endpoint: string,
): Promise<LookupPage> {
  const input: LookupEventsCommandInput = {
    StartTime: new Date(query.startSec * 1000),
    EndTime: new Date(query.endSec * 1000),
    MaxResults: query.maxResults,
    ...(query.attribute ? { LookupAttributes: [{ AttributeKey: query.attribute.key, AttributeValue: query.attribute.value }] } : {}),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
  const target = describeTarget('POST', new URL(endpoint), label);
  for (let attempt = 1; ; attempt++) {
    await lane.limiter.take(ctx.signal);
    ctx.stats.attempts++;
    try {
      const out = await lane.client.send(new LookupEventsCommand(input), { abortSignal: ctx.signal });
      return { events: (out.Events ?? []).map(toWireItem), ...(out.NextToken ? { nextToken: out.NextToken } : {}) };
    } catch (e) {
      if (ctx.signal.aborted) throw new AuditpackError('ABORTED', 'interrupted', { cause: e });
      const err = e as SdkErrorShape;
      if (err.name === 'InvalidNextTokenException' && nextToken) throw new NextTokenRejected(err.message ?? 'InvalidNextTokenException');
      const failure = classifySdkError(e, label, target);
      if (failure.throttle) ctx.stats.throttles++;
      if (!failure.retryable || attempt >= retry.maxAttempts) {
        const tail = attempt > 1 ? ` (after ${attempt} attempts)` : '';
        throw new AuditpackError(failure.code, `${failure.message}${tail}`, { cause: failure.cause, hint: failure.hint, status: failure.status });
      }
      const wait = backoffDelay(attempt, retry, Math.random);
      ctx.stats.retries++;
      ctx.stats.retryWaitMs += wait;
      await ctx.clock.sleep(wait, ctx.signal);
    }
  }
}

/** The SDK turns EventTime into a Date; the archive keeps what came over the wire: epoch seconds. */
function toWireItem(event: object): Record<string, unknown> {
  const item: Record<string, unknown> = { ...event };
  if (item.EventTime instanceof Date) item.EventTime = item.EventTime.getTime() / 1000;
  return item;
}

function classifySdkError(e: unknown, label: string, target: ReturnType<typeof describeTarget>): AttemptFailure {
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkErrorShape;
  const name = err.name ?? 'Error';
  const status = err.$metadata?.httpStatusCode;
  const said = (err.message ?? '').replace(/\s+/g, ' ').slice(0, 300);
  if (THROTTLE_NAMES.has(name) || status === 429) {
    return {
      code: 'HTTP_STATUS',
      message: `${label}: throttled (${name}, HTTP ${status ?? '?'})`,
      hint: 'LookupEvents allows 2 requests/s per account and region; lower requestsPerSecond or the number of regions and lookup values run at once',
      status,
      retryable: true,
      throttle: true,
    };
  }
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
