import { z } from 'zod';
import { deadlineFieldsShape, endpointField, refineInsecureEndpoints } from '../config-fields.js';

/** The keys LookupEvents accepts as its one lookup attribute (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html). */
const LOOKUP_ATTRIBUTE_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'] as const;
export type LookupAttributeKey = (typeof LOOKUP_ATTRIBUTE_KEYS)[number];

const lookupValues = z.union([z.string().min(1).max(2000), z.array(z.string().min(1).max(2000)).min(1)]);

const lookupSchema = z
  .object(Object.fromEntries(LOOKUP_ATTRIBUTE_KEYS.map((k) => [k, lookupValues.optional()])) as Record<LookupAttributeKey, z.ZodOptional<typeof lookupValues>>)
  .strict()
  .refine((l) => Object.values(l).filter((v) => v !== undefined).length === 1, {
    error: 'lookup takes exactly one attribute (the API allows one per query): e.g. {"EventSource": ["a4b.amazonaws.com", "lex.amazonaws.com"]}',
  });

export const cloudtrailConfigSchema = z
  .object({
    type: z.literal('cloudtrail'),
    name: z.string().min(1).optional(),
    /** Each region is its own event history (and its own rate limit). */
    regions: z
      .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'a region looks like "us-east-1"' }))
      .min(1, { error: 'name at least one region, e.g. ["us-east-1"]' })
      .refine((r) => new Set(r).size === r.length, { error: 'regions must not repeat' }),
    /** One attribute; several values mean one query sequence each within every window. */
    lookup: lookupSchema.optional(),
    endpoint: endpointField('https://cloudtrail.us-east-1.amazonaws.com').optional(),
    /** A profile from ~/.aws/config / credentials; otherwise the standard AWS credential chain. */
    profile: z.string().min(1).optional(),
    windowHours: z.number().int().min(1).max(24 * 31).default(24),
    maxResults: z.number().int().min(1).max(50).default(50),
    /** LookupEvents allows 2 requests/s per account and region (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html). */
    requestsPerSecond: z.number().positive().max(100).default(2),
    /** Windows pulled at the same time; they share the per-region rate limit. */
    concurrency: z.number().int().min(1).max(16).default(2),
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(20).default(8),
        baseDelayMs: z.number().int().min(0).max(60_000).default(500),
        maxDelayMs: z.number().int().min(0).max(300_000).default(20_000),
        /** Retries the whole source may spend (each success gives a fifth back), as for every API source. */
        budget: z.number().int().min(0).max(10_000).default(100),
      })
      .strict()
      .default({ maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 20_000, budget: 100 }),
    // LookupEvents allows 2 requests/s shared by every window on the key and region: a busy day is
    // thousands of pages, so a window gets four hours rather than the one of the other API sources.
    ...deadlineFieldsShape({ windowTimeoutMs: 4 * 3_600_000 }),
  })
  .strict()
  .superRefine((c, ctx) => refineInsecureEndpoints(c, [{ path: ['endpoint'], url: c.endpoint }], ctx));

export type CloudTrailConfigInput = z.input<typeof cloudtrailConfigSchema>;
export type CloudTrailConfig = z.output<typeof cloudtrailConfigSchema>;

/** The one lookup attribute and its values, or null for "every event". */
export function lookupPlan(cfg: Pick<CloudTrailConfig, 'lookup'>): { key: LookupAttributeKey; values: string[] } | null {
  if (!cfg.lookup) return null;
  for (const key of LOOKUP_ATTRIBUTE_KEYS) {
    const v = cfg.lookup[key];
    if (v !== undefined) return { key, values: [...new Set(Array.isArray(v) ? v : [v])] };
  }
  return null;
}
