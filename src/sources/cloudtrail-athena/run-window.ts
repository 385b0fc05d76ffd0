import type { QueryLedger, QueryRunner } from './query-runner.js';
import type { AuditEvent } from '../../model/audit-event.js';
import type { TimeWindow } from '../../model/window.js';
import type { QueryWindowContext, WindowAggregate } from '../source.js';
import { compileRules, type CompiledRules } from './sql/compile-rules.js';
import { aggregateQuery, filesQuery, identityQuery, rowsQuery, type QueryScope } from './sql/window-queries.js';
import {
  copyFates,
  eventOfRow,
  filesDeliveredIn,
  keysOfWindow,
  readAggregateRows,
  readFileRows,
  type FileRead,
  type KeyCopy,
  type ResultRow,
} from './window-results.js';

/** Most keys with other records in the period one window's SQL names as literals (Athena's query text is at most 262,144 bytes). */
const MAX_ANOMALOUS_KEYS = 4000;

export interface WindowRunInput {
  sourceName: string;
  database: string;
  table: string;
  accounts: readonly string[];
  regions: readonly string[];
  lateMs: number;
  runner: QueryRunner;
  /** Files read by every window so far (the completeness check compares them with the digests). */
  filesRead: Map<string, FileRead>;
  /** Same inputs, same key: a resumed run's queries reuse their executions (ClientRequestToken). */
  idempotencyKey: string;
  /**
   * The period's keys with more than one record (identityQuery), run once for all windows: the
   * first window to ask runs it (its ledger lists the query), the others wait for it.
   */
  identity(run: (sql: string, label: string, ledgers: QueryLedger[]) => Promise<ResultRow[]>, ledgers: QueryLedger[], sql: string): Promise<ReadonlyMap<string, readonly KeyCopy[]>>;
}

async function rowsOf(runner: QueryRunner, sql: string, label: string, ctx: QueryWindowContext, input: WindowRunInput, ledgers: QueryLedger[]): Promise<ResultRow[]> {
  const result = await runner.run(sql, { signal: ctx.signal, label, idempotencyKey: `${input.idempotencyKey}|${label}`, rec: ctx.stats, ledgers });
  const names = result.columns.map((c, i) => c.Name ?? `_col${i}`);
  const rows: ResultRow[] = [];
  for await (const page of result.pages()) {
    ctx.stats.pages++;
    for (const cells of page) rows.push(Object.fromEntries(names.map((n, i) => [n, cells[i] ?? null])));
    ctx.progress({ pages: 1, records: page.length });
  }
  return rows;
}

/** The fates of a window's records of keys with other records in the period: kept events, duplicates, id collisions. */
function settleAnomalous(rows: readonly ResultRow[], identity: ReadonlyMap<string, readonly KeyCopy[]>, sourceName: string) {
  const kept: AuditEvent[] = [];
  let duplicates = 0;
  let idCollisions = 0;
  const collisionIds = new Map<string, number>();
  const fatesByKey = new Map<string, ReturnType<typeof copyFates>>();
  for (const row of rows) {
    const key = row.event_key ?? '';
    const list = identity.get(key);
    if (!list) throw new Error(`row of key ${key} is not among the period's repeated keys`);
    let fates = fatesByKey.get(key);
    if (!fates) fatesByKey.set(key, (fates = copyFates(list)));
    const fate = fates.get(`${row.content}\u0000${row.path}`);
    if (!fate) throw new Error(`copy of key ${key} in ${row.path} is not among the period's repeated keys`);
    duplicates += fate.duplicates;
    if (!fate.kept) continue;
    const event = eventOfRow(row, sourceName);
    if (!event) continue;
    kept.push(event);
    if (fate.collision) {
      idCollisions++;
      collisionIds.set(event.id, fate.contents);
    }
  }
  return { kept, duplicates, idCollisions, collisionIds: [...collisionIds].map(([eventId, records]) => ({ eventId, records })) };
}

/**
 * One window pushed down to Athena: (a) the counts, (b, c) the rows the rules and samples need in
 * full, (d) the files read. Each query reads only the window's delivery-date partitions (bursts:
 * and their reach); the rows returned are what the pipeline needs, never the window's whole
 * population. Keys with more than one record in the period (the identity query, once per run) are
 * returned in full and de-duplicated here as the local path does.
 */
export async function runAthenaWindow(window: TimeWindow, ctx: QueryWindowContext, input: WindowRunInput, compiled: CompiledRules): Promise<WindowAggregate> {
  const scope: QueryScope = {
    database: input.database,
    table: input.table,
    accounts: input.accounts,
    regions: input.regions,
    timeZone: ctx.pushdown.timeZone,
    period: ctx.period,
    plan: ctx.plan,
    lateMs: input.lateMs,
  };
  const day = new Date(window.start).toISOString().slice(0, 16);
  const ledgers: QueryLedger[] = [];
  const identity = await input.identity((sql, label, l) => rowsOf(input.runner, sql, label, ctx, input, l), ledgers, identityQuery(scope));
  const keys = keysOfWindow(identity, window.index);
  if (keys.length > MAX_ANOMALOUS_KEYS) {
    throw new Error(`${keys.length} event ids of window ${day} have more than one record in the period (duplicates or reused ids); at most ${MAX_ANOMALOUS_KEYS} fit in one query: use shorter windows (windowHours)`);
  }
  const aggregates = readAggregateRows(await rowsOf(input.runner, aggregateQuery(scope, window, keys), `window ${day} aggregates`, ctx, input, ledgers), { name: input.sourceName });
  const rowsSql = rowsQuery(scope, window, compiled, keys);
  const rows = rowsSql ? await rowsOf(input.runner, rowsSql, `window ${day} exception and sample rows`, ctx, input, ledgers) : [];
  const files = readFileRows(await rowsOf(input.runner, filesQuery(scope, window), `window ${day} files read`, ctx, input, ledgers));

  const candidates = rows.flatMap((row) => {
    if (row.anomalous === 'true') return [];
    const e = eventOfRow(row, input.sourceName);
    return e ? [e] : [];
  });
  const anomalous = settleAnomalous(
    rows.filter((r) => r.anomalous === 'true'),
    identity,
    input.sourceName,
  );
  for (const f of files) {
    const known = input.filesRead.get(f.key);
    // A file can be in two windows' partition ranges; its record count is the same in both.
    if (!known) input.filesRead.set(f.key, { ...f, inWindow: 0, outsidePeriod: 0 });
  }
  const outsidePeriod = files.reduce((n, f) => n + f.outsidePeriod, 0);
  const bytesScanned = ledgers.reduce((s, l) => s + l.bytesScanned, 0);
  Object.assign(ctx.stats.extra, {
    queries: ledgers.length,
    executionIds: ledgers.map((l) => l.executionId).join(' '),
    bytesScanned,
    estimatedCostUsd: Number(ledgers.reduce((s, l) => s + l.estimatedCostUsd, 0).toFixed(6)),
    filesRead: filesDeliveredIn(files, window, input.lateMs),
    filesScanned: files.length,
    exceptionCandidates: candidates.length,
    repeatedKeys: keys.length,
    lateDeliveryMinutes: Math.round(input.lateMs / 60_000),
  });
  return {
    groups: aggregates.groups,
    activeHours: aggregates.activeHours,
    candidates,
    kept: anomalous.kept,
    ledger: {
      recordsReceived: aggregates.records + outsidePeriod,
      outsidePeriod,
      duplicates: anomalous.duplicates,
      idCollisions: anomalous.idCollisions,
      collisionIds: anomalous.collisionIds,
    },
    notEvaluated: compiled.notEvaluated,
    evidence: {
      source: input.sourceName,
      window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
      queries: ledgers.map((l) => ({ label: l.label, executionId: l.executionId, state: l.state, bytesScanned: l.bytesScanned, estimatedCostUsd: l.estimatedCostUsd, sql: l.sql })),
      filesScanned: files.map((f) => ({ key: f.key, records: f.records, recordsInWindow: f.inWindow, outsidePeriodCounted: f.outsidePeriod })),
    },
  };
}

export { compileRules };
