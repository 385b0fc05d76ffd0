import type { QueryLedger, QueryRunner } from './query-runner.js';
import type { TimeWindow } from '../../model/window.js';
import type { QueryWindowContext, WindowAggregate } from '../source.js';
import { compileRules, type CompiledRules } from './sql/compile-rules.js';
import { aggregateQuery, exceptionQuery, filesQuery, type QueryScope } from './sql/window-queries.js';
import { eventOfRow, ledgerOfFiles, readAggregateRows, readFileRows, type FileRead, type ResultRow } from './window-results.js';

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

/**
 * One window pushed down to Athena: (a) the counts, (b) the exception candidates, (d) the files
 * read. Each query reads only the window's delivery-date partitions; the rows it returns are what
 * the pipeline needs, never the window's whole population.
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
  const aggregates = readAggregateRows(await rowsOf(input.runner, aggregateQuery(scope, window), `window ${day} aggregates`, ctx, input, ledgers), { name: input.sourceName });
  const exceptionSql = exceptionQuery(scope, window, compiled);
  const exceptionRows = exceptionSql ? await rowsOf(input.runner, exceptionSql, `window ${day} exception rows`, ctx, input, ledgers) : [];
  const files = readFileRows(await rowsOf(input.runner, filesQuery(scope, window), `window ${day} files read`, ctx, input, ledgers));

  const candidates = exceptionRows.flatMap((row) => {
    const e = eventOfRow(row, input.sourceName);
    return e ? [e] : [];
  });
  for (const f of files) {
    const known = input.filesRead.get(f.key);
    // A file can be in two windows' partition ranges; its record count is the same in both.
    if (!known) input.filesRead.set(f.key, { ...f, inWindow: 0 });
  }
  const { recordsReceived, outsideWindow, filesRead } = ledgerOfFiles(files, window, input.lateMs);
  const bytesScanned = ledgers.reduce((s, l) => s + l.bytesScanned, 0);
  Object.assign(ctx.stats.extra, {
    queries: ledgers.length,
    executionIds: ledgers.map((l) => l.executionId).join(' '),
    bytesScanned,
    estimatedCostUsd: Number(ledgers.reduce((s, l) => s + l.estimatedCostUsd, 0).toFixed(6)),
    filesRead,
    filesScanned: files.length,
    exceptionCandidates: candidates.length,
    lateDeliveryMinutes: Math.round(input.lateMs / 60_000),
  });
  return {
    groups: aggregates.groups,
    activeHours: aggregates.activeHours,
    candidates,
    ledger: { recordsReceived, outsideWindow, duplicates: aggregates.duplicates },
    notEvaluated: compiled.notEvaluated,
    evidence: {
      source: input.sourceName,
      window: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
      queries: ledgers.map((l) => ({ label: l.label, executionId: l.executionId, state: l.state, bytesScanned: l.bytesScanned, estimatedCostUsd: l.estimatedCostUsd, sql: l.sql })),
      filesScanned: files.map((f) => ({ key: f.key, records: f.records, recordsInWindow: f.inWindow })),
    },
  };
}

export { compileRules };
