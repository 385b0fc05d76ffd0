import { AuditpackError } from '../../errors.js';
import type { AuditEvent } from '../../model/audit-event.js';
import type { TimeWindow } from '../../model/window.js';
import { normalizeCloudTrailRecord } from '../cloudtrail-common/normalize-record.js';
import type { PullContext, PullItem, Source, SourceDefinition } from '../source.js';
import { createRetryStrategy } from '../../http/retry-strategy.js';
import { transportLedger } from '../config-fields.js';
import { createRegionLanes } from './clients.js';
import { cloudtrailConfigSchema, lookupPlan, type CloudTrailConfig } from './config.js';
import { lookupPage, NextTokenRejected, type LookupQuery } from './lookup-page.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Events delivered on average within about 5 minutes, not guaranteed: three times that before the period counts as final. */
const CLOUDTRAIL_DELIVERY_DELAY_MS = 15 * 60_000;
/** Event history keeps 90 days of management events (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html). */
export const CLOUDTRAIL_RETENTION_MS = 90 * DAY;
/** Events reach event history some minutes after the call (CloudTrail: typically within 15 minutes). */
const DELIVERY_DELAY_MS = 15 * 60_000;
/** Restarts of one query sequence after rejected page tokens before the window fails. */
const MAX_RESTARTS = 3;

const CLOUDTRAIL_RETENTION_HINT =
  'CloudTrail event history (LookupEvents) keeps only 90 days; for older periods read the log files your trail delivered, ' +
  'with a source of type "cloudtrail-files" ("location": "s3://bucket/prefix" or a local folder)';

/**
 * The request bounds for a half-open window. LookupEvents takes epoch seconds and treats both
 * StartTime and EndTime as inclusive (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html): [floor(start), ceil(end)] in seconds
 * covers every event in [start, end) whatever the events' sub-second part; what it returns at the
 * end second belongs to the next window and the pipeline drops it there.
 */
export function requestBounds(window: Pick<TimeWindow, 'start' | 'end'>): { startSec: number; endSec: number } {
  return { startSec: Math.floor(window.start / 1000), endSec: Math.ceil(window.end / 1000) };
}

export const cloudtrailSource: SourceDefinition<CloudTrailConfig> = {
  type: 'cloudtrail',
  title: 'AWS CloudTrail event history (LookupEvents)',
  configSchema: cloudtrailConfigSchema,
  create(config, deps): Source {
    const name = config.name ?? 'cloudtrail';
    const plan = lookupPlan(config);
    // The rate limiters live here, so every window of the run shares them.
    const lanes = createRegionLanes(config, { env: deps.env, redactor: deps.redactor, clock: deps.clock, rateLimiters: deps.rateLimiters });
    const endpoint = config.endpoint ?? 'https://cloudtrail.amazonaws.com';
    // One strategy for every LookupEvents call of the source: the HTTP client's policy, budget and
    // counts (see lookup-page.ts); the SDK's own retries are off (clients.ts).
    const retry = createRetryStrategy(
      { maxAttempts: config.retry.maxAttempts, baseDelayMs: config.retry.baseDelayMs, maxDelayMs: config.retry.maxDelayMs, budget: config.retry.budget },
      { clock: deps.clock, log: deps.log },
    );
    const queries: { region: string; attribute?: LookupQuery['attribute'] }[] = [];
    for (const region of config.regions) {
      if (!plan) queries.push({ region });
      else for (const value of plan.values) queries.push({ region, attribute: { key: plan.key, value } });
    }
    const wholeDays = config.windowHours % 24 === 0;
    const lookupText = plan ? `, ${plan.key} ${plan.values.join(', ')}` : '';

    async function* pull(window: TimeWindow, ctx: PullContext): AsyncIterable<PullItem> {
      const now = ctx.clock.now();
      if (window.start < now - CLOUDTRAIL_RETENTION_MS) {
        throw new AuditpackError(
          'RETENTION_EXCEEDED',
          `source "${name}": the window starting ${new Date(window.start).toISOString()} is older than the 90 days CloudTrail event history keeps`,
          { hint: CLOUDTRAIL_RETENTION_HINT },
        );
      }
      if (window.end > now - DELIVERY_DELAY_MS) ctx.stats.extra.recentEventsMayBeMissing = true;
      const { startSec, endSec } = requestBounds(window);
      ctx.stats.extra.querySequences = queries.length;
      for (const q of queries) {
        const lane = await lanes.lane(q.region, ctx.signal);
        const query: LookupQuery = { startSec, endSec, maxResults: config.maxResults, ...(q.attribute ? { attribute: q.attribute } : {}) };
        const what = `CloudTrail LookupEvents ${q.region}${q.attribute ? ` ${q.attribute.key}=${q.attribute.value}` : ''}`;
        let token: string | undefined;
        let page = 0;
        let restarts = 0;
        for (;;) {
          page++;
          let result;
          try {
            result = await lookupPage(lane, query, token, ctx, { retry, requestTimeoutMs: config.requestTimeoutMs, label: `${what} page ${page}`, endpoint });
          } catch (e) {
            if (!(e instanceof NextTokenRejected)) throw e;
            if (restarts >= MAX_RESTARTS) {
              throw new AuditpackError('PAGE_TOKEN_INVALID', `${what}: the NextToken was rejected again after ${restarts} restarts (${e.message})`, {
                hint: 'run again; if it persists, use shorter windows (windowHours) so each query needs fewer pages',
              });
            }
            // A token is bound to its parameters and can expire: start this query sequence over.
            restarts++;
            ctx.stats.restarts++;
            token = undefined;
            page = 0;
            yield { kind: 'restart', reason: `${what}: InvalidNextTokenException (${e.message})` };
            continue;
          }
          ctx.stats.pages++;
          ctx.progress({ pages: 1, records: result.events.length });
          yield { kind: 'page', records: result.events };
          if (!result.nextToken) break;
          token = result.nextToken;
        }
      }
    }

    return {
      name,
      type: 'cloudtrail',
      description: `AWS CloudTrail event history (LookupEvents), ${config.regions.join(', ')}${lookupText}`,
      policy: {
        maxWindowMs: wholeDays ? null : config.windowHours * HOUR,
        windowDays: wholeDays ? config.windowHours / 24 : undefined,
        retentionMs: CLOUDTRAIL_RETENTION_MS,
        endInclusive: true,
        pageSize: config.maxResults,
        concurrency: config.concurrency,
        windowTimeoutMs: config.windowTimeoutMs,
        retentionHint: CLOUDTRAIL_RETENTION_HINT,
        // "CloudTrail typically delivers events within an average of about 5 minutes of an API call.
        // This time is not guaranteed." https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html
        deliveryDelayMs: CLOUDTRAIL_DELIVERY_DELAY_MS,
      },
      describeRequest(window) {
        const { startSec, endSec } = requestBounds(window);
        return {
          operation: 'LookupEvents',
          regions: config.regions,
          StartTime: new Date(startSec * 1000).toISOString(),
          EndTime: new Date(endSec * 1000).toISOString(),
          MaxResults: config.maxResults,
          ...(plan ? { LookupAttributes: { AttributeKey: plan.key, AttributeValues: plan.values } } : {}),
          ...(config.endpoint ? { endpoint: config.endpoint } : {}),
          ...(config.profile ? { profile: config.profile } : {}),
        };
      },
      pull,
      normalize: (raw) => normalizeLookupItem(raw, name),
      estimateRequests: () => queries.length,
      finish: async () => transportLedger(name, 'cloudtrail', config.allowInsecureHttp, [config.endpoint]),
      close: async () => lanes.close(),
    };
  },
};

/**
 * An `Events[]` item → the normalized event, from the full record in its `CloudTrailEvent`
 * string (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html). The item's EventId is the id LookupEvents de-duplicates on.
 */
function normalizeLookupItem(raw: unknown, sourceName: string): AuditEvent | null {
  if (typeof raw !== 'object' || raw === null) throw new AuditpackError('DATA_INVALID', 'a LookupEvents item is not a JSON object');
  const item = raw as { EventId?: unknown; CloudTrailEvent?: unknown };
  const id = typeof item.EventId === 'string' ? item.EventId : '(no EventId)';
  if (typeof item.CloudTrailEvent !== 'string') {
    throw new AuditpackError('DATA_INVALID', `LookupEvents item ${id} has no CloudTrailEvent (the full record)`);
  }
  let record: unknown;
  try {
    record = JSON.parse(item.CloudTrailEvent);
  } catch {
    throw new AuditpackError('DATA_INVALID', `LookupEvents item ${id}: CloudTrailEvent is not valid JSON`);
  }
  const event = normalizeCloudTrailRecord(record, sourceName, 'cloudtrail');
  if (event && typeof item.EventId === 'string' && item.EventId !== '') event.id = item.EventId;
  return event;
}
