import { responseClass, type AuditEvent } from '../model/audit-event.js';
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

/** Turns a match spec into a predicate once, so per-event work is a few comparisons. */
export function compileMatch(spec: MatchSpec): EventPredicate {
  const tests: EventPredicate[] = [];
  for (const [key, get] of Object.entries(FIELDS) as [keyof typeof FIELDS, Getter][]) {
    const m = spec[key];
    if (m === undefined) continue;
    const p = compileStringMatch(m);
    tests.push((e) => p(get(e)));
  }
  if (spec.client !== undefined) {
    const p = compileStringMatch(spec.client);
    tests.push((e) => p(e.client?.name) || p(e.client?.id));
  }
  if (spec.resource !== undefined) {
    const p = compileStringMatch(spec.resource);
    tests.push((e) => e.resources.some((r) => p(r.id)));
  }
  if (spec.resourceType !== undefined) {
    const p = compileStringMatch(spec.resourceType);
    tests.push((e) => e.resources.some((r) => p(r.type)));
  }
  for (const [name, m] of Object.entries(spec.attributes ?? {})) {
    const p = compileStringMatch(m);
    tests.push((e) => p(e.attributes?.[name]));
  }
  if (spec.anyOf !== undefined) {
    const alternatives = spec.anyOf.map(compileMatch);
    tests.push((e) => alternatives.some((a) => a(e)));
  }
  if (spec.not !== undefined) {
    const inner = compileMatch(spec.not);
    tests.push((e) => !inner(e));
  }
  if (tests.length === 1) return tests[0];
  return (e) => {
    for (const t of tests) if (!t(e)) return false;
    return true;
  };
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
  return fields.map((f) => subjectValue(f, e)).join(' | ');
}
