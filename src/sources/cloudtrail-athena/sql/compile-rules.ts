import type { BusinessHours } from '../../../rules/business-hours.js';
import { minutesOfDay } from '../../../rules/business-hours.js';
import type { RuleSpec, SampleSpec } from '../../../rules/rule-spec.js';
import { compileMatchSql, type Compiled, type StaticFacts } from './compile-match.js';
import { sqlIn } from './literals.js';

export interface PushdownContext {
  /** IANA zone of the report (business hours and local days). */
  timeZone: string;
  /** Requester ids of the directory; null when none is configured. */
  directoryIds: readonly string[] | null;
  businessHours: BusinessHours | null;
}

export interface CompiledBurst {
  ruleId: string;
  /** Which events count towards a burst (default: failures). */
  filter: string;
  threshold: number;
  windowMs: number;
}

export interface CompiledRules {
  /** Per event rule, the predicate an event must meet to produce that rule's row. */
  eventRules: { ruleId: string; sql: string }[];
  bursts: CompiledBurst[];
  /** Rules that cannot run in SQL: named in the pack as not evaluated. */
  notEvaluated: { ruleId: string; reason: string }[];
  /**
   * Per sample population, a predicate every member meets (the sampler draws from the rows
   * returned: src/rules/sampling.ts). Exact where the population's rules or match compile; `true`
   * (every row of the window returned) where they do not, so a sample is never drawn from part of
   * its population.
   */
  populations: string[];
}

/**
 * The template's rules (the same definitions src/rules/engine.ts runs) as SQL predicates over the
 * normalized columns. The SQL selects candidates; the local engine still evaluates each candidate
 * row, so ids, reasons and one-per-subject counting are the local engine's own. A predicate must
 * therefore never miss a row the engine would match; each one here is exact.
 *
 * Coverage and quiet-period rules need no SQL: they read the coverage ledger and the hours with
 * events, which the aggregate query returns. Rules the engine itself would not run (no directory,
 * no business hours) are left to the engine, which names them inactive.
 */
export function compileRules(rules: readonly RuleSpec[], facts: StaticFacts, ctx: PushdownContext, samples: readonly SampleSpec[] = []): CompiledRules {
  const out: CompiledRules = { eventRules: [], bursts: [], notEvaluated: [], populations: [] };
  for (const rule of rules) {
    switch (rule.type) {
      case 'match':
      case 'requester-not-in-directory':
      case 'outside-business-hours': {
        const filter: Compiled = rule.match ? compileMatchSql(rule.match, facts) : { sql: 'true' };
        if ('inexpressible' in filter) {
          out.notEvaluated.push({ ruleId: rule.id, reason: `not evaluated by Athena: ${filter.inexpressible}` });
          continue;
        }
        let sql = filter.sql;
        if (rule.type === 'requester-not-in-directory') {
          if (!ctx.directoryIds) continue;
          sql = `(${sql} AND NOT coalesce(${sqlIn('n_requester', ctx.directoryIds)}, false))`;
        } else if (rule.type === 'outside-business-hours') {
          if (!ctx.businessHours) continue;
          sql = `(${sql} AND ${outsideBusinessHoursSql(ctx.businessHours)})`;
        }
        if (sql !== 'false') out.eventRules.push({ ruleId: rule.id, sql });
        break;
      }
      case 'burst': {
        const filter = compileMatchSql(rule.match ?? { outcome: 'failure' }, facts);
        if ('inexpressible' in filter) {
          out.notEvaluated.push({ ruleId: rule.id, reason: `not evaluated by Athena: ${filter.inexpressible}` });
          continue;
        }
        if (filter.sql !== 'false') out.bursts.push({ ruleId: rule.id, filter: filter.sql, threshold: rule.threshold, windowMs: rule.windowMinutes * 60_000 });
        break;
      }
      case 'coverage':
      case 'quiet-period':
        break;
    }
  }
  out.populations = samples.map((spec) => populationPredicate(spec, rules, out, facts));
  return out;
}

/**
 * isOutsideBusinessHours() of src/rules/business-hours.ts on the local wall clock (l_dow: ISO
 * weekday, l_minute: minute of the local day, l_day: local date), which window-queries.ts derives
 * with AT TIME ZONE (https://trino.io/docs/current/functions/datetime.html#time-zone-conversion).
 */
export function outsideBusinessHoursSql(hours: BusinessHours): string {
  const working = [
    `l_dow IN (${hours.days.join(', ')})`,
    ...(hours.holidays.length ? [`NOT ${sqlIn('l_day', hours.holidays)}`] : []),
    `l_minute >= ${minutesOfDay(hours.start)}`,
    `l_minute < ${minutesOfDay(hours.end)}`,
  ];
  return `(NOT (${working.join(' AND ')}))`;
}

/**
 * A population's members as SQL: those matched by one of its rules (the engine's matchedRuleIds
 * come from event rules only: a burst, coverage or quiet-period rule matches no event), or by its
 * match. Where a rule or the match cannot be written in SQL, every row (`true`).
 */
function populationPredicate(spec: SampleSpec, rules: readonly RuleSpec[], compiled: CompiledRules, facts: StaticFacts): string {
  if (spec.rules) {
    const parts: string[] = [];
    for (const id of spec.rules) {
      const rule = rules.find((r) => r.id === id);
      if (!rule || !['match', 'requester-not-in-directory', 'outside-business-hours'].includes(rule.type)) continue;
      if (compiled.notEvaluated.some((n) => n.ruleId === id)) return 'true';
      const sql = compiled.eventRules.find((r) => r.ruleId === id)?.sql;
      if (sql) parts.push(sql);
    }
    return parts.length ? `coalesce(${parts.join(' OR ')}, false)` : 'false';
  }
  const m = compileMatchSql(spec.match ?? {}, facts);
  return 'inexpressible' in m ? 'true' : `coalesce(${m.sql}, false)`;
}
