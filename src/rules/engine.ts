import type { AuditEvent } from '../model/audit-event.js';
import type { CoverageLedger } from '../model/coverage.js';
import { compareExceptionRows, type ExceptionRow } from '../model/exception.js';
import { createBusinessHoursCheck, type BusinessHours } from './business-hours.js';
import { createBurstTracker, type BurstTracker } from './burst.js';
import { coverageFindings, createQuietPeriodTracker, type QuietPeriodTracker } from './coverage-findings.js';
import { createLocalStamper, rowFromEvent } from './exception-row.js';
import { createCallMemo } from '../model/event-call.js';
import { allOf, splitMatch, subjectOf, type EventPredicate } from './match.js';
import type { EventRuleSpec, RuleSpec, SubjectField } from './rule-spec.js';

export interface RuleContext {
  /** IANA zone of the report: business hours and local times in reasons use it. */
  timeZone: string;
  /** The requester directory; null when the config names none (the directory rule then does not run). */
  directory: { has(requesterId: string): boolean } | null;
  /** From the config; null when not configured (the business-hours rule then does not run). */
  businessHours: BusinessHours | null;
}

/** What one event gives: its exception rows, and the ids of the event rules it matched (both read-only: often one shared empty answer). */
export interface Evaluation {
  readonly rows: readonly ExceptionRow[];
  readonly matchedRuleIds: readonly string[];
}

export interface RuleEngine {
  /** Rows for one kept, de-duplicated event. Call in any order. */
  onEvent(event: AuditEvent): readonly ExceptionRow[];
  /** The same, plus the ids of every event rule the event matched (for sample populations). */
  evaluate(event: AuditEvent): Evaluation;
  /** An hour (epoch ms / 3,600,000) with events, from a source that counted its events itself (quiet periods). */
  addActivity(source: string, sourceType: string, hour: number): void;
  /** Rows only known at the end: bursts, one-per-subject rows, coverage and integrity findings. */
  finish(coverage: CoverageLedger): ExceptionRow[];
  /** Rules that cannot run with this context, and why (for the report's notes). */
  readonly inactive: readonly { ruleId: string; reason: string }[];
  /** Ids of the rules that do run: only their absence this period can mean "resolved". */
  readonly activeRuleIds: ReadonlySet<string>;
}

const DEFAULT_SUBJECT: Record<EventRuleSpec['type'], SubjectField[]> = {
  match: ['requester', 'operation'],
  'requester-not-in-directory': ['requester'],
  'outside-business-hours': ['requester'],
};

interface Aggregate {
  row: ExceptionRow;
  count: number;
  last: number;
}

interface EventRule {
  spec: EventRuleSpec;
  /** The tests of the match that read only the call's fields (see splitMatch): decided once per call. */
  call: EventPredicate;
  /** The rest, tested for each event that passes `call`; null when there is none. */
  rest: EventPredicate | null;
  detail: ((e: AuditEvent) => string) | null;
  subject: SubjectField[];
  aggregates: Map<string, Aggregate> | null;
}


const NO_ROWS: readonly ExceptionRow[] = Object.freeze([]);
/** What an event no rule matched gives: one shared, frozen answer. */
const NOTHING: Evaluation = Object.freeze({ rows: NO_ROWS, matchedRuleIds: Object.freeze([]) });

/** The row that stands for its subject: the first in exception order, whichever event arrived first. */
function earlier(a: ExceptionRow, b: ExceptionRow): boolean {
  return compareExceptionRows(a, b) < 0;
}

export function createRuleEngine(rules: RuleSpec[], ctx: RuleContext): RuleEngine {
  const eventRules: EventRule[] = [];
  const burstFilters: { call: EventPredicate; rest: EventPredicate | null; tracker: BurstTracker }[] = [];
  const quietTrackers: QuietPeriodTracker[] = [];
  const inactive: { ruleId: string; reason: string }[] = [];
  const stamp = createLocalStamper(ctx.timeZone);
  const finishers: ((coverage: CoverageLedger) => ExceptionRow[])[] = [];

  for (const spec of rules) {
    switch (spec.type) {
      case 'match':
      case 'requester-not-in-directory':
      case 'outside-business-hours': {
        const { call, rest: filter } = splitMatch(spec.match ?? {});
        let rest = filter;
        let detail: EventRule['detail'] = null;
        if (spec.type === 'requester-not-in-directory') {
          const directory = ctx.directory;
          if (!directory) {
            inactive.push({ ruleId: spec.id, reason: 'no requester directory is configured' });
            continue;
          }
          rest = allOf([filter, (e) => !directory.has(e.requester.id)]);
        } else if (spec.type === 'outside-business-hours') {
          if (!ctx.businessHours) {
            inactive.push({ ruleId: spec.id, reason: 'no business hours are configured' });
            continue;
          }
          const outside = createBusinessHoursCheck(ctx.businessHours, ctx.timeZone);
          rest = allOf([filter, (e) => outside(e.time)]);
          detail = (e) => `at ${stamp(e.time)} ${ctx.timeZone}`;
        }
        const rule: EventRule = {
          spec,
          call,
          rest,
          detail,
          subject: spec.subject ?? DEFAULT_SUBJECT[spec.type],
          aggregates: spec.onePerSubject ? new Map() : null,
        };
        eventRules.push(rule);
        if (rule.aggregates) finishers.push(() => flushAggregates(rule));
        break;
      }
      case 'burst': {
        const tracker = createBurstTracker(spec, ctx.timeZone, stamp);
        burstFilters.push({ ...splitMatch(spec.match ?? { outcome: 'failure' }), tracker });
        finishers.push(() => tracker.finish());
        break;
      }
      case 'coverage':
        finishers.push((coverage) => coverageFindings(spec, coverage));
        break;
      case 'quiet-period': {
        const tracker = createQuietPeriodTracker(spec, stamp, ctx.timeZone);
        quietTrackers.push(tracker);
        finishers.push((coverage) => tracker.finish(coverage));
        break;
      }
    }
  }

  function flushAggregates(rule: EventRule): ExceptionRow[] {
    const subjects = [...rule.aggregates!.keys()].sort();
    return subjects.map((s) => {
      const a = rule.aggregates!.get(s)!;
      const span = a.count === 1 ? `1 event at ${stamp(a.row.time)}` : `${a.count} events from ${stamp(a.row.time)} to ${stamp(a.last)}`;
      return { ...a.row, reason: `${rule.spec.reason} (${span} ${ctx.timeZone})` };
    });
  }

  let finished = false;
  // The rules an event's call passes, in order: the rest of each is tested per event.
  const callRules = createCallMemo((e: AuditEvent) => ({ rules: eventRules.filter((rule) => rule.call(e)), bursts: burstFilters.filter((b) => b.call(e)) }));

  const evaluate = (event: AuditEvent) => {
    const call = callRules(event);
    // Arrays only for an event that matched: most events match no rule.
    let rows: ExceptionRow[] | null = null;
    let matchedRuleIds: string[] | null = null;
    for (const rule of call.rules) {
      if (rule.rest && !rule.rest(event)) continue;
      (matchedRuleIds ??= []).push(rule.spec.id);
      const row = rowFromEvent(rule.spec, event, subjectOf(rule.subject, event), rule.detail?.(event));
      if (!rule.aggregates) {
        (rows ??= []).push(row);
        continue;
      }
      const a = rule.aggregates.get(row.subject);
      if (!a) rule.aggregates.set(row.subject, { row, count: 1, last: event.time });
      else {
        a.count++;
        a.last = Math.max(a.last, event.time);
        if (earlier(row, a.row)) a.row = row;
      }
    }
    for (const b of call.bursts) if (!b.rest || b.rest(event)) b.tracker.add(event);
    for (const q of quietTrackers) q.add(event);
    // A row comes only from a matched rule: no match, no rows.
    return matchedRuleIds === null ? NOTHING : { rows: rows ?? NO_ROWS, matchedRuleIds };
  };

  const inactiveIds = new Set(inactive.map((r) => r.ruleId));
  return {
    inactive,
    activeRuleIds: new Set(rules.map((r) => r.id).filter((id) => !inactiveIds.has(id))),
    evaluate,
    onEvent: (event) => evaluate(event).rows,
    addActivity(source, sourceType, hour) {
      for (const q of quietTrackers) q.addHour(source, sourceType, hour);
    },
    finish(coverage) {
      if (finished) return [];
      finished = true;
      return finishers.flatMap((f) => f(coverage));
    },
  };
}
