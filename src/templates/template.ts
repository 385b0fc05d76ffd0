import { z } from 'zod';
import type { SectionId } from '../model/report-model.js';
import { resolveReference, ruleReferenceSchema, type RuleCatalogue } from '../rules/catalogue.js';
import { EVENT_RULE_TYPES, ruleSchema, sampleSchema, type RuleSpec, type SampleSpec } from '../rules/rule-spec.js';
import { sectionIdSchema } from './sections.js';

export type ExceptionGrouping = 'control' | 'severity' | 'rule';

/**
 * A report template: which sections, which rules, which samples. Data in templates/<name>.json;
 * its rules are catalogue ids (with overrides) resolved to whole rules when it is loaded.
 */
export interface Template {
  name: string;
  description: string;
  /** Report title on the cover. */
  title: string;
  /** The file the template is for; the other is still written, shorter. */
  primaryOutput: 'pdf' | 'xlsx';
  /** Sections in the workbook and (unless pdfSections says otherwise) the PDF. */
  sections: SectionId[];
  /** Sections of the PDF when it differs (auditor-handoff: a short cover and summary). */
  pdfSections: SectionId[];
  pdfExceptionLimit: number;
  /** How the exceptions section is grouped: by Trust Services Criterion, severity or rule. */
  groupExceptionsBy: ExceptionGrouping;
  /** Aggregate and list failed operations only (the failed-operations review). */
  failuresOnly: boolean;
  rules: RuleSpec[];
  samples: SampleSpec[];
}

function isInlineRule(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'type' in v;
}

/**
 * One entry of a template's `rules`: a catalogue id, `{ "id", "severity"?, "params"? }` changing
 * a catalogue rule, or a whole rule of the template's own (it has a `type`) under an id the
 * catalogue does not use. Each resolves to the rule the engine runs.
 */
function ruleEntrySchema(catalogue: RuleCatalogue) {
  return z.unknown().transform((v, ctx): RuleSpec => {
    if (isInlineRule(v)) {
      const own = ruleSchema.safeParse(v);
      if (!own.success) {
        for (const issue of own.error.issues) ctx.addIssue({ ...issue });
        return z.NEVER;
      }
      const id = own.data.id;
      if (catalogue.has(id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['id'],
          message: `an id the catalogue does not use ("${id}" is a catalogue rule: name it as "${id}", or as { "id": "${id}", "severity": …, "params": { … } } to change it, instead of defining it again)`,
        });
        return z.NEVER;
      }
      return own.data;
    }
    const ref = ruleReferenceSchema.safeParse(v);
    if (!ref.success) {
      for (const issue of ref.error.issues) ctx.addIssue({ ...issue });
      return z.NEVER;
    }
    const resolved = resolveReference(ref.data, catalogue);
    if ('issues' in resolved) {
      for (const issue of resolved.issues) ctx.addIssue({ ...issue });
      return z.NEVER;
    }
    return resolved.rule;
  });
}

/** The schema of a template file, resolving its rules against `catalogue`. */
export const templateSchema = (catalogue: RuleCatalogue) => z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'a template name of lower-case letters, digits and dashes' }),
    description: z.string().min(1),
    title: z.string().min(1),
    primaryOutput: z.enum(['pdf', 'xlsx']),
    sections: z.array(sectionIdSchema).min(1),
    pdfSections: z.array(sectionIdSchema).min(1).optional(),
    pdfExceptionLimit: z.number().int().min(0),
    groupExceptionsBy: z.enum(['control', 'severity', 'rule']).default('severity'),
    failuresOnly: z.boolean().default(false),
    rules: z.array(ruleEntrySchema(catalogue)),
    samples: z.array(sampleSchema).default([]),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Map<string, number>();
    t.rules.forEach((r, i) => {
      const first = seen.get(r.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `a unique rule id ("${r.id}" is already rules[${first}])` });
      else seen.set(r.id, i);
    });
    const sections = new Set(t.sections);
    t.sections.forEach((s, i) => {
      if (t.sections.indexOf(s) !== i) ctx.addIssue({ code: 'custom', path: ['sections', i], message: `each section once ("${s}" is listed twice)` });
    });
    t.pdfSections?.forEach((s, i) => {
      if (!sections.has(s)) ctx.addIssue({ code: 'custom', path: ['pdfSections', i], message: `a section also listed in "sections" ("${s}" is not)` });
    });
    const populations = new Set<string>();
    t.samples.forEach((s, i) => {
      if (populations.has(s.population)) ctx.addIssue({ code: 'custom', path: ['samples', i, 'population'], message: `a unique population name ("${s.population}" is used twice)` });
      populations.add(s.population);
      s.rules?.forEach((id, j) => {
        const at = seen.get(id);
        if (at === undefined) {
          ctx.addIssue({ code: 'custom', path: ['samples', i, 'rules', j], message: `the id of a rule in this template ("${id}" is not one)` });
        } else if (!EVENT_RULE_TYPES.includes(t.rules[at].type)) {
          ctx.addIssue({
            code: 'custom',
            path: ['samples', i, 'rules', j],
            message: `a rule of type ${EVENT_RULE_TYPES.join(', ')} ("${id}" is a ${t.rules[at].type} rule, which does not select events)`,
          });
        }
      });
    });
  })
  .transform((t): Template => ({ ...t, pdfSections: t.pdfSections ?? t.sections }));
