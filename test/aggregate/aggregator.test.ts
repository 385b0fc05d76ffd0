import { describe, expect, it } from 'vitest';
import { createAggregator } from '../../src/aggregate/aggregator.js';
import { createDayIndex } from '../../src/aggregate/day-index.js';
import { responseClass, type AuditEvent } from '../../src/model/audit-event.js';
import { CALL_FIELDS } from '../../src/model/event-call.js';

const START = Date.UTC(2026, 9, 1);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const END = Date.UTC(2026, 10, 1);

/** Events whose calls differ in one field at a time, and calls that share an operation, a code, a class or a source. */
function events(): AuditEvent[] {
  const out: AuditEvent[] = [];
  const calls = [
    { source: 'trail', sourceType: 'cloudtrail-files', service: 's3.amazonaws.com', operation: 'DeleteBucket' },
    { source: 'trail', sourceType: 'cloudtrail-files', service: 'lambda.amazonaws.com', operation: 'DeleteBucket' },
    { source: 'trail', sourceType: 'cloudtrail-files', service: 's3.amazonaws.com', operation: 'GetObject' },
    { source: 'lookup', sourceType: 'cloudtrail', service: 's3.amazonaws.com', operation: 'DeleteBucket' },
    { source: 'skills', sourceType: 'smapi', service: 'smapi', operation: 'smapi.getSkill.v1' },
  ] as const;
  const codes = [['200', 'success'], ['200', 'failure'], ['403', 'failure'], ['AccessDenied', 'failure'], ['Success', 'success']] as const;
  let i = 0;
  for (let round = 0; round < 7; round++) {
    for (const call of calls) {
      for (const [responseCode, outcome] of codes) {
        i++;
        out.push({
          id: `e${i}`, time: START + ((i * 7_919_000) % (END - START)), ...call, responseCode, outcome,
          requester: { id: `u${i % 4}`, ...(i % 4 === 1 ? { name: 'Una' } : {}) }, resources: [],
          ...(i % 3 === 0 ? { client: { id: `c${i % 2}`, name: 'cli' } } : { userAgent: `agent${i % 2}` }),
        });
      }
    }
  }
  return out;
}

/** What one counter row says, worked out from the events directly. */
function reference(list: AuditEvent[], key: (e: AuditEvent) => string) {
  const rows = new Map<string, { events: number; failures: number; firstTime: number; lastTime: number }>();
  for (const e of list) {
    const r = rows.get(key(e)) ?? { events: 0, failures: 0, firstTime: Infinity, lastTime: -Infinity };
    r.events++;
    if (e.outcome === 'failure') r.failures++;
    r.firstTime = Math.min(r.firstTime, e.time);
    r.lastTime = Math.max(r.lastTime, e.time);
    rows.set(key(e), r);
  }
  return Object.fromEntries(rows);
}

const counted = (rows: { key: string; events: number; failures: number; firstTime: number | null; lastTime: number | null }[]) =>
  Object.fromEntries(rows.map((r) => [r.key, { events: r.events, failures: r.failures, firstTime: r.firstTime, lastTime: r.lastTime }]));

describe('aggregator', () => {
  it("counts each operation, code, class and source as the events say, whatever calls share (its counters are found once per call)", () => {
    const list = events();
    const agg = createAggregator(createDayIndex('UTC', START, END));
    for (const e of list) agg.add(e);
    const r = agg.result();
    const opKey = (e: AuditEvent) => (e.operation.startsWith(e.service) ? e.operation : `${e.service} ${e.operation}`);
    expect(counted(r.operations)).toEqual(reference(list, opKey));
    expect(counted(r.responseCodes)).toEqual(reference(list, (e) => e.responseCode));
    expect(counted(r.responseClasses)).toEqual(reference(list, responseClass));
    expect(Object.fromEntries(r.operations.map((o) => [o.key, [o.service, o.operation]]))).toEqual(Object.fromEntries(list.map((e) => [opKey(e), [e.service, e.operation]])));
    const bySource = reference(list, (e) => e.source);
    expect(Object.fromEntries(r.bySource.map((s) => [s.source, { events: s.events, failures: s.failures, type: s.sourceType, operations: s.operations }]))).toEqual(
      Object.fromEntries(
        Object.entries(bySource).map(([source, c]) => {
          const of = list.filter((e) => e.source === source);
          return [source, { events: c.events, failures: c.failures, type: of[0].sourceType, operations: new Set(of.map(opKey)).size }];
        }),
      ),
    );
    expect(r.totals).toMatchObject({ events: list.length, failures: list.filter((e) => e.outcome === 'failure').length, operations: new Set(list.map(opKey)).size });
    // Every field of a call tells calls apart: the events differ in each.
    for (const f of CALL_FIELDS) expect(new Set(list.map((e) => e[f])).size).toBeGreaterThan(1);
  });

  it('clusters failures by requester, service and operation, and code, across sources, ties in first-seen order', () => {
    const list = events();
    const agg = createAggregator(createDayIndex('UTC', START, END));
    for (const e of list) agg.add(e);
    const expected = new Map<string, { requesterId: string; requesterName: string | null; service: string; operation: string; responseCode: string; failures: number; firstTime: number; lastTime: number }>();
    for (const e of list) {
      if (e.outcome !== 'failure') continue;
      const key = JSON.stringify([e.requester.id, e.service, e.operation, e.responseCode]);
      const c = expected.get(key) ?? { requesterId: e.requester.id, requesterName: null, service: e.service, operation: e.operation, responseCode: e.responseCode, failures: 0, firstTime: Infinity, lastTime: -Infinity };
      c.requesterName ??= e.requester.name ?? null;
      c.failures++;
      c.firstTime = Math.min(c.firstTime, e.time);
      c.lastTime = Math.max(c.lastTime, e.time);
      expected.set(key, c);
    }
    const ordered = [...expected.values()].sort((a, b) => b.failures - a.failures || cmp(a.requesterId, b.requesterId) || cmp(a.operation, b.operation) || cmp(a.responseCode, b.responseCode));
    expect(agg.result().failureClusters).toEqual(ordered);
    // The same operation name in two services is two clusters; one operation from two sources is one.
    expect(ordered.some((c) => c.operation === 'DeleteBucket' && c.service === 'lambda.amazonaws.com')).toBe(true);
    expect(new Set(list.filter((e) => e.operation === 'DeleteBucket' && e.service === 's3.amazonaws.com').map((e) => e.source)).size).toBe(2);
  });

  it('counts a group as it counts each of its events', () => {
    const list = events();
    const days = createDayIndex('UTC', START, END);
    const one = createAggregator(days);
    const grouped = createAggregator(days);
    for (const e of list) {
      one.add(e);
      grouped.addGroup({
        day: days.days[days.indexOf(e.time)], events: 1, firstTime: e.time, lastTime: e.time,
        source: e.source, sourceType: e.sourceType, service: e.service, operation: e.operation, responseCode: e.responseCode, outcome: e.outcome,
        requester: e.requester, client: e.client ?? (e.userAgent ? { id: e.userAgent } : undefined),
      });
    }
    const [a, b] = [one.result(), grouped.result()];
    expect(b.operations).toEqual(a.operations);
    expect(b.responseCodes).toEqual(a.responseCodes);
    expect(b.responseClasses).toEqual(a.responseClasses);
    expect(b.bySource).toEqual(a.bySource);
    expect(b.daily).toEqual(a.daily);
    expect(b.failureClusters).toEqual(a.failureClusters);
  });
});
