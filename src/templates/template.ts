import { z } from 'zod';
import type { SectionId } from '../model/report-model.js';
import { EVENT_RULE_TYPES, ruleSchema, sampleSchema, type RuleSpec, type SampleSpec } from '../rules/rule-spec.js';
import { sectionIdSchema } from './sections.js';

export type { RuleSpec, SampleSpec } from '../rules/rule-spec.js';

export type ExceptionGrouping = 'control' | 'severity' | 'rule';

/** A report template: which sections, which rules, which samples. Data in templates/<name>.json. */
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

export const templateSchema = z
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
    rules: z.array(ruleSchema),
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
