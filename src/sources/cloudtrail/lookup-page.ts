import { LookupEventsCommand, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { describeTarget } from '../../http/classify.js';
import { classifyAwsSdkError, type AwsApiWords } from '../../http/aws-error-class.js';
import { DeadlinePassed, deadlineFailure, startDeadline } from '../../http/deadline.js';
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

interface SdkErrorShape {
  name?: string;
  message?: string;
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
        return { ok: false, failure: classifyAwsSdkError(e, target, ctx.clock.now(), LOOKUP_WORDS) };
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

/** How LookupEvents' errors are explained: the shared AWS classification (src/http/aws-error-class.ts) with its own hints. */
const LOOKUP_WORDS: AwsApiWords = {
  service: 'LookupEvents',
  throttleHint: () => 'LookupEvents allows 2 requests/s per account and region; lower requestsPerSecond or the number of regions and lookup values run at once',
  authHint: 'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile, and that the principal may call cloudtrail:LookupEvents',
};
