import { responseClass, type AuditEvent } from '../model/audit-event.js';
import type { CountRow, FailureCluster, ReportModel, SourceSummary, Totals } from '../model/report-model.js';
import type { EventGroup } from '../model/event-group.js';
import type { DayIndex } from './day-index.js';
import { compareCodePoints } from '../util/compare.js';
import { createCallMemo } from '../model/event-call.js';

/** Counts for one group key. */
interface Counter {
  label?: string;
  events: number;
  failures: number;
  firstTime: number;
  lastTime: number;
}

interface SourceCounter extends Counter {
  sourceType: string;
  requesters: Set<string>;
  operations: Set<string>;
  ledger: LedgerCounts;
}

/** What the pipeline counted of a source's records besides the events (from the coverage ledger). */
export interface LedgerCounts {
  duplicates: number;
  outsidePeriod: number;
  readAgain: number;
  idCollisions: number;
}

const noLedger = (): LedgerCounts => ({ duplicates: 0, outsidePeriod: 0, readAgain: 0, idCollisions: 0 });

/** The report model's figures: everything counted, nothing listed per event. */
export type AggregateResult = Pick<
  ReportModel,
  'totals' | 'bySource' | 'operations' | 'responseCodes' | 'responseClasses' | 'requesters' | 'clients' | 'daily' | 'failureClusters'
>;

export interface Aggregator {
  add(event: AuditEvent): void;
  /** Events counted elsewhere (an aggregating source), counted here exactly as `add` would count each. */
  addGroup(group: EventGroup): void;
  result(opts?: {
    directoryHas?: (id: string) => boolean;
    maxClusters?: number;
    /** Per source, what the pipeline did not keep (from the coverage ledger), for the totals. */
    dropped?: Record<string, { sourceType: string } & LedgerCounts>;
  }): AggregateResult;
}

/**
 * Streaming counters: memory grows with the number of groups (operations, codes, requesters,
 * clients, days, failure clusters), never with the number of events.
 */
export function createAggregator(days: DayIndex): Aggregator {
  const operations = new Map<string, Counter & { service?: string; operation?: string }>();
  const codes = new Map<string, Counter>();
  const classes = new Map<string, Counter>();
  const requesters = new Map<string, Counter & { name?: string; email?: string; type?: string }>();
  const clients = new Map<string, Counter>();
  const sources = new Map<string, SourceCounter>();
  // Failure clusters by operation and code, then by requester (one map per operation and code,
  // found once per call: no key string made per failed event), in the order they were made.
  const clusterMaps = new Map<string, Map<string, FailureCluster>>();
  const clusters: FailureCluster[] = [];
  const daily = days.days.map(() => ({ events: 0, failures: 0 }));

  /** What a counter needs of one event or of a group of alike events. */
  interface Tally {
    events: number;
    failures: number;
    firstTime: number;
    lastTime: number;
  }
  /** Adds a tally to a counter. */
  const tally = (c: Counter, t: Tally) => {
    c.events += t.events;
    c.failures += t.failures;
    if (t.firstTime < c.firstTime) c.firstTime = t.firstTime;
    if (t.lastTime > c.lastTime) c.lastTime = t.lastTime;
  };
  /** The counter of `key` in `map`, made when missing. */
  const counterOf = <C extends Counter>(map: Map<string, C>, key: string, make: () => C): C => {
    let c = map.get(key);
    if (!c) {
      c = make();
      map.set(key, c);
    }
    return c;
  };
  const bump = <C extends Counter>(map: Map<string, C>, key: string, t: Tally, make: () => C): C => {
    const c = counterOf(map, key, make);
    tally(c, t);
    return c;
  };
  const counter = (label?: string): Counter => ({ label, events: 0, failures: 0, firstTime: Infinity, lastTime: -Infinity });
  // Made once, not as a closure per event.
  const newCounter = (): Counter => counter();
  const newRequesterCounter = (): Counter & { name?: string; email?: string; type?: string } => counter();
  const sourceCounter = (type: string): SourceCounter => ({
    ...counter(), sourceType: type, requesters: new Set(), operations: new Set(), ledger: noLedger(),
  });
  type Counted = Pick<AuditEvent, 'service' | 'operation' | 'responseCode' | 'outcome' | 'requester' | 'client' | 'userAgent' | 'source' | 'sourceType'>;
  /** The counters every event of a call bumps, found once per call (src/model/event-call.ts). */
  const callCounters = createCallMemo((e: Counted) => {
    const op = operationKey(e);
    const operation = counterOf(operations, op, (): Counter & { service?: string; operation?: string } => ({ ...counter(), service: e.service, operation: e.operation }));
    const source = counterOf(sources, e.source, () => sourceCounter(e.sourceType));
    source.operations.add(op);
    const clusterKey = `${op}\u0000${e.responseCode}`;
    let clustersOfCall = clusterMaps.get(clusterKey);
    if (!clustersOfCall) {
      clustersOfCall = new Map<string, FailureCluster>();
      clusterMaps.set(clusterKey, clustersOfCall);
    }
    return { op, operation, code: counterOf(codes, e.responseCode, newCounter), class: counterOf(classes, responseClass(e), newCounter), source, clusters: clustersOfCall };
  });

  /** The one place an event, or a group of alike events, is counted. */
  const count = (e: Counted, t: Tally, dayIndex: number) => {
    const call = callCounters(e);
    tally(call.operation, t);
    tally(call.code, t);
    tally(call.class, t);
    const r = bump(requesters, e.requester.id, t, newRequesterCounter);
    r.name ??= e.requester.name;
    r.email ??= e.requester.email;
    r.type ??= e.requester.type;
    const clientKey = e.client?.name ?? e.client?.id ?? e.userAgent ?? '(none)';
    const c = bump(clients, clientKey, t, newCounter);
    // The label is the smallest full client id of the key, not the first seen: the figures must not
    // depend on the order events or groups arrive in (windows in parallel, or an engine's group order).
    const id = e.client?.id && e.client.name ? e.client.id : undefined;
    if (id !== undefined && (c.label === undefined || id < c.label)) c.label = id;
    tally(call.source, t);
    call.source.requesters.add(e.requester.id);
    if (dayIndex >= 0) {
      daily[dayIndex].events += t.events;
      daily[dayIndex].failures += t.failures;
    }
    if (t.failures > 0) {
      const c = call.clusters.get(e.requester.id);
      if (c) {
        c.requesterName ??= e.requester.name ?? null;
        c.failures += t.failures;
        c.firstTime = Math.min(c.firstTime, t.firstTime);
        c.lastTime = Math.max(c.lastTime, t.lastTime);
      } else {
        const made: FailureCluster = {
          requesterId: e.requester.id, requesterName: e.requester.name ?? null, service: e.service, operation: e.operation,
          responseCode: e.responseCode, failures: t.failures, firstTime: t.firstTime, lastTime: t.lastTime,
        };
        call.clusters.set(e.requester.id, made);
        clusters.push(made);
      }
    }
  };

  // One event's tally, filled anew for each event: `count` reads it and keeps nothing of it.
  const one: Tally = { events: 1, failures: 0, firstTime: 0, lastTime: 0 };
  return {
    add(e) {
      one.failures = e.outcome === 'failure' ? 1 : 0;
      one.firstTime = e.time;
      one.lastTime = e.time;
      count(e, one, days.indexOf(e.time));
    },
    addGroup(g) {
      const tally = { events: g.events, failures: g.outcome === 'failure' ? g.events : 0, firstTime: g.firstTime, lastTime: g.lastTime };
      count({ ...g, userAgent: g.client?.id }, tally, days.days.indexOf(g.day));
    },
    result(opts = {}) {
      for (const [name, d] of Object.entries(opts.dropped ?? {})) {
        let s = sources.get(name);
        if (!s) {
          s = sourceCounter(d.sourceType);
          sources.set(name, s);
        }
        s.ledger = { duplicates: d.duplicates, outsidePeriod: d.outsidePeriod, readAgain: d.readAgain, idCollisions: d.idCollisions };
      }
      const allRequesters = new Set<string>();
      const allOps = new Set<string>();
      let events = 0;
      let failures = 0;
      let first = Infinity;
      let last = -Infinity;
      const all = noLedger();
      const bySource: SourceSummary[] = [...sources.entries()]
        .sort(([a], [b]) => compareCodePoints(a, b))
        .map(([name, s]) => {
          events += s.events;
          failures += s.failures;
          first = Math.min(first, s.firstTime);
          last = Math.max(last, s.lastTime);
          for (const k of Object.keys(all) as (keyof LedgerCounts)[]) all[k] += s.ledger[k];
          for (const r of s.requesters) allRequesters.add(r);
          for (const o of s.operations) allOps.add(o);
          return { source: name, sourceType: s.sourceType, ...totalsOf(s, s.requesters.size, s.operations.size, s.ledger) };
        });
      const totals: Totals = totalsOf({ events, failures, firstTime: first, lastTime: last }, allRequesters.size, allOps.size, all);
      return {
        totals,
        bySource,
        operations: rowsOf(operations).map((row) => {
          const c = operations.get(row.key)!;
          return { ...row, ...(c.service !== undefined ? { service: c.service } : {}), ...(c.operation !== undefined ? { operation: c.operation } : {}) };
        }),
        responseCodes: rowsOf(codes),
        responseClasses: rowsOf(classes),
        requesters: rowsOf(requesters).map((row) => {
          const c = requesters.get(row.key)!;
          return {
            ...row,
            label: c.name ?? row.key,
            name: c.name ?? null,
            email: c.email ?? null,
            type: c.type ?? null,
            inDirectory: opts.directoryHas ? opts.directoryHas(row.key) : true,
          };
        }),
        clients: rowsOf(clients),
        daily: days.days.map((day, i) => ({ day, ...daily[i] })),
        failureClusters: [...clusters]
          .sort((a, b) => b.failures - a.failures || compareCodePoints(a.requesterId, b.requesterId) || compareCodePoints(a.operation, b.operation) || compareCodePoints(a.responseCode, b.responseCode))
          .slice(0, opts.maxClusters ?? Infinity),
      };
    },
  };
}

/** Operations are grouped per service: CloudTrail's DeleteBucket is s3's, not lambda's. */
function operationKey(e: Pick<AuditEvent, 'service' | 'operation'>): string {
  return e.operation.startsWith(e.service) ? e.operation : `${e.service} ${e.operation}`;
}

function totalsOf(c: Pick<Counter, 'events' | 'failures' | 'firstTime' | 'lastTime'>, requesters: number, operations: number, ledger: LedgerCounts): Totals {
  return {
    events: c.events,
    failures: c.failures,
    successRate: c.events === 0 ? 1 : (c.events - c.failures) / c.events,
    requesters,
    operations,
    firstEventTime: Number.isFinite(c.firstTime) ? c.firstTime : null,
    lastEventTime: Number.isFinite(c.lastTime) ? c.lastTime : null,
    duplicatesRemoved: ledger.duplicates,
    outsidePeriod: ledger.outsidePeriod,
    readAgain: ledger.readAgain,
    idCollisions: ledger.idCollisions,
  };
}

/** Most events first; ties by key so output never depends on arrival order. */
function rowsOf(map: Map<string, Counter>): CountRow[] {
  return [...map.entries()]
    .map(([key, c]) => ({
      key,
      ...(c.label !== undefined ? { label: c.label } : {}),
      events: c.events,
      failures: c.failures,
      failureRate: c.events ? c.failures / c.events : 0,
      firstTime: Number.isFinite(c.firstTime) ? c.firstTime : null,
      lastTime: Number.isFinite(c.lastTime) ? c.lastTime : null,
    }))
    .sort((a, b) => b.events - a.events || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
