import type { SmapiAuditLog, SmapiDataset } from './dataset.js';
import { OPERATION_VARIANTS } from './operations.js';
import { SMAPI_CLIENTS, SMAPI_REQUESTERS } from './identities.js';
import { compileFilter, selectIndices, type SmapiRequestFilters } from './query.js';

/** A window and filters to count over; half-open [start, end) unless `endInclusive`. */
export interface TruthQuery {
  start?: number;
  end?: number;
  endInclusive?: boolean;
  filters?: SmapiRequestFilters;
}

export interface TruthCount {
  events: number;
  /** httpResponseCode >= 400. */
  failures: number;
  /** Keyed `name.version`, as the source normalizes operations ("publishSkill.v1"). */
  byOperation: Record<string, number>;
  /** Keyed by the code as a string ("200", "403"). */
  byCode: Record<string, number>;
  byRequester: Record<string, number>;
  byClient: Record<string, number>;
  firstTime: number | null;
  lastTime: number | null;
}

/** What tests compare against: the full data set and counts over any window and filter. */
export interface SmapiTruth {
  size: number;
  period: { start: number; end: number };
  /** One record, by position in time order. */
  record(i: number): SmapiAuditLog;
  /** Records in time order (all of them without a query); builds objects, so mind the size. */
  records(q?: TruthQuery): SmapiAuditLog[];
  ids(q?: TruthQuery): string[];
  count(q?: TruthQuery): TruthCount;
  /** Times (ms) of the events that sit exactly on a UTC midnight. */
  boundaryTimes(): number[];
}

export function createTruth(ds: SmapiDataset): SmapiTruth {
  const select = (q: TruthQuery = {}) =>
    selectIndices(ds, { startTime: q.start, endTime: q.end, endInclusive: q.endInclusive ?? false }, compileFilter(ds, q.filters ?? {}));
  return {
    size: ds.size,
    period: { start: ds.start, end: ds.end },
    record: (i) => ds.record(i),
    records: (q) => Array.from(select(q), (i) => ds.record(i)),
    ids: (q) => Array.from(select(q), (i) => ds.requestId(i)),
    count(q) {
      const idx = select(q);
      const out: TruthCount = { events: idx.length, failures: 0, byOperation: {}, byCode: {}, byRequester: {}, byClient: {}, firstTime: null, lastTime: null };
      const bump = (m: Record<string, number>, k: string) => {
        m[k] = (m[k] ?? 0) + 1;
      };
      for (const i of idx) {
        const v = OPERATION_VARIANTS[ds.op[i]];
        if (ds.code[i] >= 400) out.failures++;
        bump(out.byOperation, `${v.name}.${v.version}`);
        bump(out.byCode, String(ds.code[i]));
        bump(out.byRequester, SMAPI_REQUESTERS[ds.requester[i]].userId);
        bump(out.byClient, SMAPI_CLIENTS[ds.client[i]].id);
      }
      if (idx.length > 0) {
        out.firstTime = ds.time[idx[0]];
        out.lastTime = ds.time[idx[idx.length - 1]];
      }
      return out;
    },
    boundaryTimes() {
      const out: number[] = [];
      for (let i = 0; i < ds.size; i++) if (ds.time[i] % 86_400_000 === 0) out.push(ds.time[i]);
      return out;
    },
  };
}
