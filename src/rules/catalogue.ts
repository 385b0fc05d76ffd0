import { z } from 'zod';
import { closest } from '../util/suggest.js';
import { ruleSchema, SEVERITIES, type RuleSpec, type RuleType } from './rule-spec.js';

/**
 * The rule catalogue: every built-in rule defined once (templates/rules/catalogue.json), as
 * Prowler keeps its checks in one place that frameworks map to. A template names catalogue rules
 * by id and may change their severity and parameters; it may also define rules of its own.
 */
export type RuleCatalogue = ReadonlyMap<string, RuleSpec>;

/** Where the catalogue lives, relative to the built-in templates folder. */
export const CATALOGUE_FILE = 'rules/catalogue.json';

export const catalogueSchema = z
  .object({
    description: z.string().optional(),
    rules: z.array(ruleSchema).min(1),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.rules.forEach((r, i) => {
      const first = seen.get(r.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `a unique rule id ("${r.id}" is already rules[${first}])` });
      else seen.set(r.id, i);
    });
  })
  .transform((c): RuleCatalogue => new Map(c.rules.map((r) => [r.id, r])));

const HEADER_KEYS: ReadonlySet<string> = new Set(['id', 'type', 'title', 'severity', 'control', 'reason']);

/** The parameters each rule type takes: its fields other than the header every rule has. */
const PARAMS_BY_TYPE: ReadonlyMap<RuleType, readonly string[]> = new Map(
  ruleSchema.options.map((o) => [o.shape.type.value, Object.keys(o.shape).filter((k) => !HEADER_KEYS.has(k))]),
);

const ruleId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'a rule id of lower-case letters, digits and dashes' });

/** A template's use of a catalogue rule: its id alone, or with a severity and parameters of its own. */
export const ruleReferenceSchema = z.union(
  [
    ruleId.transform((id) => ({ id })),
    z
      .object({
        id: ruleId,
        severity: z.enum(SEVERITIES).optional(),
        /** Replaces the rule's fields of the same name (a whole `match`, `threshold`, `minHours`…). */
        params: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
  ],
  { error: 'a catalogue rule id, an object { "id", "severity"?, "params"? }, or a rule of your own with a "type"' },
);

export type RuleReference = z.output<typeof ruleReferenceSchema>;

type Issue = z.core.$ZodIssue;

/**
 * The catalogue rule `ref` names, with its overrides applied and checked as a whole rule.
 * Problems come back as issues whose paths point into the reference (`params.threshold`).
 */
export function resolveReference(ref: RuleReference, catalogue: RuleCatalogue): { rule: RuleSpec } | { issues: Issue[] } {
  const base = catalogue.get(ref.id);
  if (!base) {
    const near = closest(ref.id, [...catalogue.keys()]);
    return {
      issues: [{
        code: 'custom',
        path: 'severity' in ref || 'params' in ref ? ['id'] : [],
        message: `the id of a catalogue rule ("${ref.id}" is not one${near ? `; did you mean "${near}"?` : ''}), or a rule of your own with a "type"`,
      }],
    };
  }
  const params = 'params' in ref ? (ref.params ?? {}) : {};
  const allowed = PARAMS_BY_TYPE.get(base.type) ?? [];
  const wrong = Object.keys(params).filter((k) => !allowed.includes(k));
  if (wrong.length > 0) {
    const takes = allowed.length ? `takes ${allowed.join(', ')}` : 'takes no parameters';
    return { issues: wrong.map((k): Issue => ({ code: 'custom', path: ['params', k], message: `a parameter of "${base.id}" (a ${base.type} rule ${takes})` })) };
  }
  const merged = { ...base, ...params, ...('severity' in ref && ref.severity ? { severity: ref.severity } : {}) };
  const parsed = ruleSchema.safeParse(merged);
  if (parsed.success) return { rule: parsed.data };
  return { issues: parsed.error.issues.map((i) => ({ ...i, path: i.path.length ? ['params', ...i.path] : [] })) };
}
