import { z } from 'zod';
import type { SourceType } from '../model/audit-event.js';

/**
 * Rules are data: these schemas are what a template's `rules` and `samples` entries must look
 * like. Every object is strict so a typo is an error, not a silently ignored key.
 */

/** A string test on one normalized field. */
export type StringMatch =
  | string
  | string[]
  | { equals?: string; in?: string[]; prefix?: string; regex?: string; ignoreCase?: boolean };

/** Every key present must match (AND); `anyOf` is an OR of sub-matches; `not` negates one. */
export interface MatchSpec {
  sourceType?: StringMatch;
  /** Source instance name from the config. */
  source?: StringMatch;
  service?: StringMatch;
  /** The operation as normalized (SMAPI: `name.version`). */
  operation?: StringMatch;
  /** The operation without the SMAPI version suffix: `getSkillCredentials.v1` → `getSkillCredentials`. */
  operationName?: StringMatch;
  outcome?: StringMatch;
  responseCode?: StringMatch;
  /** `2xx`, `4xx`, `5xx` for numeric codes; `error` / `ok` for symbolic ones. */
  responseClass?: StringMatch;
  /** Requester id. */
  requester?: StringMatch;
  requesterType?: StringMatch;
  /** Client name or id. */
  client?: StringMatch;
  region?: StringMatch;
  account?: StringMatch;
  sourceIp?: StringMatch;
  userAgent?: StringMatch;
  /** Matches when any resource id matches. */
  resource?: StringMatch;
  resourceType?: StringMatch;
  /** Source-specific flat facts (`mfa`, `scope`, `identityType`, `consoleLogin`); absent → no match. */
  attributes?: Record<string, StringMatch>;
  anyOf?: MatchSpec[];
  not?: MatchSpec;
}

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

const SUBJECT_FIELDS = ['requester', 'operation', 'service', 'source', 'resource', 'responseCode', 'client'] as const;
export type SubjectField = (typeof SUBJECT_FIELDS)[number];

const COVERAGE_CHECKS = ['failed-window', 'window-problem', 'integrity'] as const;

const SOURCE_TYPES = ['smapi', 'cloudtrail', 'cloudtrail-files', 'cloudtrail-athena', 'trail-logs', 'amplitude'] as const satisfies readonly SourceType[];

const nonEmpty = z.string().min(1, { error: 'a non-empty string' });

function regexProblem(source: string, ignoreCase: boolean | undefined): string | null {
  try {
    new RegExp(source, ignoreCase ? 'i' : '');
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const stringMatchObject = z
  .object({
    equals: z.string().optional(),
    in: z.array(z.string()).min(1).optional(),
    prefix: z.string().optional(),
    regex: z.string().optional(),
    ignoreCase: z.boolean().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const kinds = (['equals', 'in', 'prefix', 'regex'] as const).filter((k) => v[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `exactly one of equals, in, prefix, regex (got ${kinds.length ? kinds.join(', ') : 'none'})` });
    }
    if (v.regex !== undefined) {
      const problem = regexProblem(v.regex, v.ignoreCase);
      if (problem) ctx.addIssue({ code: 'custom', path: ['regex'], message: `a valid regular expression (${problem})` });
    }
  });

const stringMatchSchema: z.ZodType<StringMatch> = z.union(
  [z.string(), z.array(z.string()).min(1, { error: 'a non-empty list of strings' }), stringMatchObject],
  { error: 'a string, a list of strings, or an object with one of equals, in, prefix, regex' },
);

const matchSchema: z.ZodType<MatchSpec> = z.lazy(() =>
  z
    .object({
      sourceType: stringMatchSchema.optional(),
      source: stringMatchSchema.optional(),
      service: stringMatchSchema.optional(),
      operation: stringMatchSchema.optional(),
      operationName: stringMatchSchema.optional(),
      outcome: stringMatchSchema.optional(),
      responseCode: stringMatchSchema.optional(),
      responseClass: stringMatchSchema.optional(),
      requester: stringMatchSchema.optional(),
      requesterType: stringMatchSchema.optional(),
      client: stringMatchSchema.optional(),
      region: stringMatchSchema.optional(),
      account: stringMatchSchema.optional(),
      sourceIp: stringMatchSchema.optional(),
      userAgent: stringMatchSchema.optional(),
      resource: stringMatchSchema.optional(),
      resourceType: stringMatchSchema.optional(),
      attributes: z.record(z.string(), stringMatchSchema).optional(),
      anyOf: z.array(matchSchema).min(1).optional(),
      not: matchSchema.optional(),
    })
    .strict(),
);

const base = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'a rule id of lower-case letters, digits and dashes' }),
  title: nonEmpty,
  severity: z.enum(SEVERITIES),
  control: z
    .string()
    .regex(/^(CC|A|C|PI|P)\d+\.\d+$/, { error: 'a SOC 2 Trust Services Criterion such as CC6.1, CC7.2 or CC8.1' }),
  reason: nonEmpty,
};

const subject = z.array(z.enum(SUBJECT_FIELDS)).min(1).optional();

export const ruleSchema = z.discriminatedUnion('type', [
  z
    .object({
      ...base,
      type: z.literal('match'),
      match: matchSchema,
      subject,
      /** One row per subject (first event, with a count) instead of one per event. */
      onePerSubject: z.boolean().optional(),
    })
    .strict(),
  z
    .object({ ...base, type: z.literal('requester-not-in-directory'), match: matchSchema.optional(), subject, onePerSubject: z.boolean().optional() })
    .strict(),
  z
    .object({ ...base, type: z.literal('outside-business-hours'), match: matchSchema.optional(), subject, onePerSubject: z.boolean().optional() })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('burst'),
      /** Which events count towards a burst; default: failures. */
      match: matchSchema.optional(),
      threshold: z.number().int().min(2),
      windowMinutes: z.number().positive().max(1440),
    })
    .strict(),
  z.object({ ...base, type: z.literal('coverage'), check: z.enum(COVERAGE_CHECKS) }).strict(),
  z
    .object({
      ...base,
      type: z.literal('quiet-period'),
      /** Consecutive whole hours without a single event, inside completed windows. */
      minHours: z.number().int().min(1),
      sourceTypes: z.array(z.enum(SOURCE_TYPES)).min(1).optional(),
    })
    .strict(),
]);

export type RuleSpec = z.infer<typeof ruleSchema>;
export type RuleType = RuleSpec['type'];
export type EventRuleSpec = Extract<RuleSpec, { type: 'match' | 'requester-not-in-directory' | 'outside-business-hours' }>;

/** Rule types whose match is known when the event is seen (so a sample population can name them). */
export const EVENT_RULE_TYPES: readonly RuleType[] = ['match', 'requester-not-in-directory', 'outside-business-hours'];

export const sampleSchema = z
  .object({
    /** Name shown on the Sample sheet: "Failed operations". */
    population: nonEmpty,
    description: z.string().optional(),
    /** Events matched by any of these rules (event rules only). */
    rules: z.array(nonEmpty).min(1).optional(),
    /** Or events matching this. `{}` is the whole population. */
    match: matchSchema.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.rules === undefined) === (v.match === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'exactly one of "rules" (a list of rule ids) or "match"' });
    }
  });

export type SampleSpec = z.infer<typeof sampleSchema>;
