import { responseClass, type AuditEvent } from '../model/audit-event.js';
import { CALL_FIELDS } from '../model/event-call.js';
import type { MatchSpec, StringMatch, SubjectField } from './rule-spec.js';

export type EventPredicate = (event: AuditEvent) => boolean;
type StringPredicate = (value: string | undefined) => boolean;

/** SMAPI operations are normalized as `name.version`; rules name the operation, not the version. */
export function operationName(event: Pick<AuditEvent, 'sourceType' | 'operation'>): string {
  if (event.sourceType !== 'smapi') return event.operation;
  // Called for every event by several rules; a source has a few dozen operations at most.
  let name = smapiNames.get(event.operation);
  if (name === undefined) {
    name = event.operation.replace(/\.v\d+$/, '');
    if (smapiNames.size < 10_000) smapiNames.set(event.operation, name);
  }
  return name;
}
const smapiNames = new Map<string, string>();

function compileStringMatch(m: StringMatch): StringPredicate {
  if (typeof m === 'string') return (v) => v === m;
  if (Array.isArray(m)) {
    const set = new Set(m);
    return (v) => v !== undefined && set.has(v);
  }
  const fold = m.ignoreCase ? (s: string) => s.toLowerCase() : (s: string) => s;
  if (m.equals !== undefined) {
    const want = fold(m.equals);
    return (v) => v !== undefined && fold(v) === want;
  }
  if (m.in !== undefined) {
    const set = new Set(m.in.map(fold));
    return (v) => v !== undefined && set.has(fold(v));
  }
  if (m.prefix !== undefined) {
    const want = fold(m.prefix);
    return (v) => v !== undefined && fold(v).startsWith(want);
  }
  if (m.regex !== undefined) {
    const re = new RegExp(m.regex, m.ignoreCase ? 'i' : '');
    return (v) => v !== undefined && re.test(v);
  }
  return () => false;
}

type Getter = (e: AuditEvent) => string | undefined;

const FIELDS: Record<Exclude<keyof MatchSpec, 'attributes' | 'anyOf' | 'not' | 'resource' | 'resourceType' | 'client'>, Getter> = {
  sourceType: (e) => e.sourceType,
  source: (e) => e.source,
  service: (e) => e.service,
  operation: (e) => e.operation,
  operationName: (e) => operationName(e),
  outcome: (e) => e.outcome,
  responseCode: (e) => e.responseCode,
  responseClass: (e) => responseClass(e),
  requester: (e) => e.requester.id,
  requesterType: (e) => e.requester.type,
  region: (e) => e.region,
  account: (e) => e.account,
  sourceIp: (e) => e.sourceIp,
  userAgent: (e) => e.userAgent,
};

/**
 * The match keys that read only an event's call (src/model/event-call.ts): its fields, and the two
 * worked out from them (operationName from the source type and operation, responseClass from the
 * code and outcome). A test of these alone gives the same verdict for every event of the call, so
 * it is decided once per call instead of once per event.
 */
const CALL_KEYS: ReadonlySet<keyof MatchSpec> = new Set<keyof MatchSpec>([...CALL_FIELDS, 'operationName', 'responseClass']);

/** True when `spec` tests only the call's fields (anyOf and not included). */
function callOnly(spec: MatchSpec): boolean {
  return (Object.keys(spec) as (keyof MatchSpec)[]).every((key) => {
    if (spec[key] === undefined) return true;
    if (key === 'anyOf') return spec.anyOf!.every(callOnly);
    if (key === 'not') return callOnly(spec.not!);
    return CALL_KEYS.has(key);
  });
}

/** The tests of a spec (all must pass), each marked when it reads only the call's fields. */
function matchTests(spec: MatchSpec): { test: EventPredicate; call: boolean }[] {
  const tests: { test: EventPredicate; call: boolean }[] = [];
  for (const [key, get] of Object.entries(FIELDS) as [keyof typeof FIELDS, Getter][]) {
    const m = spec[key];
    if (m === undefined) continue;
    const p = compileStringMatch(m);
    tests.push({ test: (e) => p(get(e)), call: CALL_KEYS.has(key) });
  }
  if (spec.client !== undefined) {
    const p = compileStringMatch(spec.client);
    tests.push({ test: (e) => p(e.client?.name) || p(e.client?.id), call: false });
  }
  if (spec.resource !== undefined) {
    const p = compileStringMatch(spec.resource);
    tests.push({ test: (e) => anyResource(e, p, 'id'), call: false });
  }
  if (spec.resourceType !== undefined) {
    const p = compileStringMatch(spec.resourceType);
    tests.push({ test: (e) => anyResource(e, p, 'type'), call: false });
  }
  for (const [name, m] of Object.entries(spec.attributes ?? {})) {
    const p = compileStringMatch(m);
    tests.push({ test: (e) => p(e.attributes?.[name]), call: false });
  }
  if (spec.anyOf !== undefined) {
    const alternatives = spec.anyOf.map(compileMatch);
    // A loop, not some(): a closure over the event per test was an allocation per event.
    tests.push({
      test: (e) => {
        for (const a of alternatives) if (a(e)) return true;
        return false;
      },
      call: spec.anyOf.every(callOnly),
    });
  }
  if (spec.not !== undefined) {
    const inner = compileMatch(spec.not);
    tests.push({ test: (e) => !inner(e), call: callOnly(spec.not) });
  }
  return tests;
}

/** Whether a resource's id or type passes `p` (a loop: some() made a closure per event). */
function anyResource(e: AuditEvent, p: (v: string | undefined) => boolean, field: 'id' | 'type'): boolean {
  for (const r of e.resources) if (p(r[field])) return true;
  return false;
}

/** Every test must pass (a null one is none); null for none at all. */
export function allOf(given: readonly (EventPredicate | null)[]): EventPredicate | null {
  const tests = given.filter((t): t is EventPredicate => t !== null);
  if (tests.length === 0) return null;
  if (tests.length === 1) return tests[0];
  return (e) => {
    for (const t of tests) if (!t(e)) return false;
    return true;
  };
}

const ANY: EventPredicate = () => true;

/** Turns a match spec into a predicate once, so per-event work is a few comparisons. */
export function compileMatch(spec: MatchSpec): EventPredicate {
  return allOf(matchTests(spec).map((t) => t.test)) ?? ANY;
}

/**
 * The same predicate in two parts whose conjunction it is: `call` tests only the call's fields
 * (see CALL_KEYS), `rest` the others (null when there are none).
 */
export function splitMatch(spec: MatchSpec): { call: EventPredicate; rest: EventPredicate | null } {
  const tests = matchTests(spec);
  return { call: allOf(tests.filter((t) => t.call).map((t) => t.test)) ?? ANY, rest: allOf(tests.filter((t) => !t.call).map((t) => t.test)) };
}

/** The value of one subject field for an event; joined with " | " into the row's subject. */
function subjectValue(field: SubjectField, e: AuditEvent): string {
  switch (field) {
    case 'requester':
      return e.requester.id;
    case 'operation':
      return operationName(e);
    case 'service':
      return e.service;
    case 'source':
      return e.source;
    case 'resource':
      return e.resources[0]?.id ?? '';
    case 'responseCode':
      return e.responseCode;
    case 'client':
      return e.client?.name ?? e.client?.id ?? '';
  }
}

export function subjectOf(fields: readonly SubjectField[], e: AuditEvent): string {
  // Joined by hand: not an array and a join per exception row.
  let s = fields.length ? subjectValue(fields[0], e) : '';
  for (let i = 1; i < fields.length; i++) s += ' | ' + subjectValue(fields[i], e);
  return s;
}
