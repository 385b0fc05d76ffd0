import type { AuditEvent } from './audit-event.js';

/**
 * A call: the fields every event of one kind of request shares (its source, service, operation,
 * response code and outcome). A month's events come from a few hundred calls, so what depends on
 * these fields alone (which rules can match, which counters an event bumps) is worked out once per
 * call and looked up for each event after.
 */
export const CALL_FIELDS = ['source', 'sourceType', 'service', 'operation', 'responseCode', 'outcome'] as const satisfies readonly (keyof AuditEvent)[];

export type EventCall = Pick<AuditEvent, (typeof CALL_FIELDS)[number]>;

/** One level of the memo: a field's values, each to the next field's. */
interface Level<V> {
  next: Map<string, Level<V>>;
  /** At the last level (the response code's): the call's source type, and the value per outcome. */
  sourceType?: string;
  success?: { value: V };
  failure?: { value: V };
}

/**
 * Past this many calls a memo stops growing and works the value out for each event instead: a
 * month's events come from a few hundred, and a source whose operations or codes are unbounded
 * (an id in each) should cost the memo a few MB at most, not as much as the events.
 */
const MAX_CALLS = 10_000;

/**
 * `compute`, remembered per call: given the first event of each call, it must read only the
 * call's fields (EventCall), as its value stands for every event of the call. Memory grows with
 * the number of calls, as the aggregator's does; past `maxCalls` it no longer grows. Keyed by
 * nested maps of the fields' strings rather than one joined string: a decoded event's strings are
 * shared and hash once. A source has one source type, so that field is checked, not a level.
 */
export function createCallMemo<E extends EventCall, V>(compute: (event: E) => V, maxCalls = MAX_CALLS): (event: E) => V {
  const root: Level<V> = { next: new Map() };
  let calls = 0;
  // A level for `value` below `level`; made when missing while the memo may still grow.
  const step = (level: Level<V> | undefined, value: string): Level<V> | undefined => {
    if (!level) return undefined;
    let next = level.next.get(value);
    if (!next && calls < maxCalls) {
      next = { next: new Map() };
      level.next.set(value, next);
    }
    return next;
  };
  return (e) => {
    const level = step(step(step(step(root, e.source), e.service), e.operation), e.responseCode);
    if (!level) return compute(e);
    level.sourceType ??= e.sourceType;
    if (level.sourceType !== e.sourceType) return compute(e);
    const known = e.outcome === 'failure' ? level.failure : level.success;
    if (known) return known.value;
    const value = compute(e);
    if (calls < maxCalls) {
      calls++;
      if (e.outcome === 'failure') level.failure = { value };
      else level.success = { value };
    }
    return value;
  };
}
