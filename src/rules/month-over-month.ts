import { z } from 'zod';
import type { ExceptionRow, ExceptionTrend } from '../model/exception.js';
import type { ExceptionSubjectCount } from '../model/report-model.js';
import { SEVERITY_ORDER } from '../model/exception.js';
import { SEVERITIES } from './rule-spec.js';

export type { ExceptionSubjectCount };

/** How a previous pack's summary.json `exceptionSubjects` is checked before it is trusted. */
export const exceptionSubjectsSchema = z.array(
  z.object({
    ruleId: z.string(),
    subject: z.string(),
    title: z.string(),
    severity: z.enum(SEVERITIES),
    control: z.string(),
    count: z.number().int().nonnegative(),
  }),
);

/** Matching is on rule and subject, never on event id: next month's events are different events. */
export function subjectKey(row: Pick<ExceptionRow, 'ruleId' | 'subject'>): string {
  return `${row.ruleId}\u0000${row.subject}`;
}

/** Counts rows by rule and subject as they stream past; memory grows with distinct subjects. */
export function createSubjectCounter(): { add(row: ExceptionRow): void; list(): ExceptionSubjectCount[] } {
  const counts = new Map<string, ExceptionSubjectCount>();
  return {
    add(row) {
      const key = subjectKey(row);
      const c = counts.get(key);
      if (c) c.count++;
      else counts.set(key, { ruleId: row.ruleId, subject: row.subject, title: row.title, severity: row.severity, control: row.control, count: 1 });
    },
    list() {
      return [...counts.values()].sort(bySeverityRuleSubject);
    },
  };
}

function bySeverityRuleSubject(a: ExceptionSubjectCount, b: ExceptionSubjectCount): number {
  return (
    SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0)
  );
}

/**
 * New: the rule and subject were not in last month's pack. Recurring: they were. Resolved: last
 * month had them and this month does not, for a rule that ran this month: a rule this template
 * does not have, or that could not run (no requester directory, no business hours), proves
 * nothing about last month's exceptions, so those are left out rather than called resolved.
 */
export function compareWithPrevious(
  current: ExceptionSubjectCount[],
  previous: ExceptionSubjectCount[],
  rulesRun: ReadonlySet<string>,
): { trendOf(row: ExceptionRow): ExceptionTrend; resolved: ExceptionSubjectCount[] } {
  const before = new Set(previous.map(subjectKey));
  const now = new Set(current.map(subjectKey));
  const seen = new Set<string>();
  const resolved = previous
    .filter((p) => {
      const key = subjectKey(p);
      if (!rulesRun.has(p.ruleId) || now.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort(bySeverityRuleSubject);
  return {
    trendOf: (row) => (before.has(subjectKey(row)) ? 'recurring' : 'new'),
    resolved,
  };
}
