import type { AuditEvent } from '../model/audit-event.js';
import type { EventPredicate } from './match.js';

/** One level of the index: a field's values, each to the next field's; the last level holds the items. */
interface Level<T> {
  next: Map<string, Level<T>>;
  items?: readonly T[];
}

/** Past this many calls the index stops growing and works the items out for each event instead. */
const MAX_CALLS = 100_000;

/**
 * The items whose `call` test an event passes, worked out once per call (source, service,
 * operation, response code, outcome: the fields `splitMatch` calls the call's) and looked up for
 * each event after: a month's events come from a few hundred calls, and testing every rule's
 * fields on each of them was most of the rule engine's time. Items keep their order. Memory grows
 * with the number of calls, as the aggregator's does.
 */
export function createCallIndex<T>(entries: readonly { call: EventPredicate; item: T }[], maxCalls = MAX_CALLS): (event: AuditEvent) => readonly T[] {
  const root: Level<T> = { next: new Map() };
  let calls = 0;
  const select = (event: AuditEvent): readonly T[] => entries.filter((x) => x.call(event)).map((x) => x.item);
  // A level for `value` below `level`; made when missing while the index may still grow.
  const step = (level: Level<T> | undefined, value: string): Level<T> | undefined => {
    if (!level) return undefined;
    let next = level.next.get(value);
    if (!next && calls < maxCalls) {
      next = { next: new Map() };
      level.next.set(value, next);
    }
    return next;
  };
  return (event) => {
    const level = step(step(step(step(step(step(root, event.source), event.sourceType), event.service), event.operation), event.responseCode), event.outcome);
    if (level?.items) return level.items;
    const items = select(event);
    if (level) {
      level.items = items;
      calls++;
    }
    return items;
  };
}
