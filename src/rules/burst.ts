import type { AuditEvent } from '../model/audit-event.js';
import type { ExceptionRow } from '../model/exception.js';
import { findingRow } from './exception-row.js';
import type { RuleSpec } from './rule-spec.js';

type BurstRule = Extract<RuleSpec, { type: 'burst' }>;

/** Index ranges [first, last] (inclusive) of the bursts in ascending `times`. */
export function findBursts(times: ArrayLike<number>, threshold: number, windowMs: number): { first: number; last: number }[] {
  const out: { first: number; last: number }[] = [];
  const n = times.length;
  let i = 0;
  while (i + threshold - 1 < n) {
    // `threshold` events fit in one half-open window of `windowMs` when last − first < windowMs.
    if (times[i + threshold - 1] - times[i] < windowMs) {
      let j = i + threshold - 1;
      // Extend while every run of `threshold` consecutive events still fits in a window, so a
      // sustained storm is one burst, not one row per `threshold` events.
      while (j + 1 < n && times[j + 1] - times[j + 2 - threshold] < windowMs) j++;
      out.push({ first: i, last: j });
      i = j + 1;
    } else {
      i++;
    }
  }
  return out;
}

interface RequesterFailures {
  times: Float64Array;
  refs: Uint32Array;
  length: number;
  name: string | null;
  email: string | null;
}

export interface BurstTracker {
  add(e: AuditEvent): void;
  finish(): ExceptionRow[];
}

/**
 * Keeps, per requester, only the time and an interned (source, service, operation, code) reference of each
 * matching event: memory grows with the number of failures, not events. Bursts are found in
 * finish() on sorted times, so the result does not depend on the order events arrive in.
 */
export function createBurstTracker(rule: BurstRule, timeZone: string, stamp: (t: number) => string): BurstTracker {
  const byRequester = new Map<string, RequesterFailures>();
  const refIndex = new Map<string, number>();
  const refs: { source: string; service: string; operation: string; responseCode: string; key: string }[] = [];
  const windowMs = rule.windowMinutes * 60_000;

  const intern = (e: AuditEvent): number => {
    const key = `${e.source}\u0000${e.service}\u0000${e.operation}\u0000${e.responseCode}`;
    let idx = refIndex.get(key);
    if (idx === undefined) {
      idx = refs.length;
      refs.push({ source: e.source, service: e.service, operation: e.operation, responseCode: e.responseCode, key });
      refIndex.set(key, idx);
    }
    return idx;
  };

  const minString = (a: string | null, b: string | undefined): string | null =>
    b === undefined ? a : a === null || b < a ? b : a;

  return {
    add(e) {
      let r = byRequester.get(e.requester.id);
      if (!r) {
        r = { times: new Float64Array(16), refs: new Uint32Array(16), length: 0, name: null, email: null };
        byRequester.set(e.requester.id, r);
      }
      if (r.length === r.times.length) {
        const times = new Float64Array(r.times.length * 2);
        times.set(r.times);
        const rs = new Uint32Array(r.refs.length * 2);
        rs.set(r.refs);
        r.times = times;
        r.refs = rs;
      }
      r.times[r.length] = e.time;
      r.refs[r.length] = intern(e);
      r.length++;
      // The directory gives one name per id; taking the least keeps the row order-independent anyway.
      r.name = minString(r.name, e.requester.name);
      r.email = minString(r.email, e.requester.email);
    },
    finish() {
      const rows: ExceptionRow[] = [];
      const requesters = [...byRequester.keys()].sort();
      for (const requesterId of requesters) {
        const r = byRequester.get(requesterId)!;
        if (r.length < rule.threshold) continue;
        const order = Array.from({ length: r.length }, (_, i) => i);
        order.sort((a, b) => r.times[a] - r.times[b] || (refs[r.refs[a]].key < refs[r.refs[b]].key ? -1 : refs[r.refs[a]].key > refs[r.refs[b]].key ? 1 : 0));
        const times = Float64Array.from(order, (i) => r.times[i]);
        for (const b of findBursts(times, rule.threshold, windowMs)) {
          const members = order.slice(b.first, b.last + 1).map((i) => refs[r.refs[i]]);
          const count = members.length;
          const first = times[b.first];
          const last = times[b.last];
          rows.push(
            findingRow(rule, {
              time: first,
              source: summarize(members.map((m) => m.source), 3, false),
              subject: requesterId,
              detail: `${count} events from ${stamp(first)} to ${stamp(last)} ${timeZone}, threshold ${rule.threshold} within ${rule.windowMinutes} min`,
              service: summarize(members.map((m) => m.service), 3, false),
              operation: summarize(members.map((m) => m.operation), 3, true),
              responseCode: summarize(members.map((m) => m.responseCode), 3, true),
              requesterId,
              requesterName: r.name,
              requesterEmail: r.email,
            }),
          );
        }
      }
      return rows;
    },
  };
}

/** "deleteSkill.v1 ×7, getSkill.v1 ×3 (+2 more)": most frequent first, ties by name. */
function summarize(values: string[], max: number, withCounts: boolean): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const shown = sorted.slice(0, max).map(([v, n]) => (withCounts && sorted.length > 1 ? `${v} ×${n}` : v));
  return sorted.length > max ? `${shown.join(', ')} (+${sorted.length - max} more)` : shown.join(', ');
}
