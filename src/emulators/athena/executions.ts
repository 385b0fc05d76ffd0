import { randomUUID } from 'node:crypto';
import { isDdl, type Catalog, DdlError } from './catalog.js';
import { QueryFailure, type Engine, type QueryOutput } from './engine.js';
import type { QueryFault } from './query-faults.js';

export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface AthenaErrorShape {
  ErrorCategory: 1 | 2 | 3;
  ErrorType: number;
  Retryable: boolean;
  ErrorMessage: string;
}

export interface Execution {
  id: string;
  sql: string;
  statementType: 'DML' | 'DDL';
  database: string;
  catalog: string;
  workgroup: string;
  outputLocation: string | null;
  token: string | null;
  submittedAt: number;
  completedAt: number | null;
  /** What the engine (or a scripted fault) decided; hidden until the polls reach it. */
  outcome: { state: 'SUCCEEDED'; output: QueryOutput } | { state: 'FAILED'; error: AthenaErrorShape } | null;
  cancelled: boolean;
  fault: QueryFault | null;
  /** GetQueryExecution calls answered so far. */
  polls: number;
  /** States every answer showed, in order (ground truth for tests). */
  statesShown: QueryState[];
  engineMillis: number;
}

export interface Pacing {
  /** Polls answered QUEUED before RUNNING (default 1). */
  queuedPolls: number;
  /** Polls answered RUNNING at least, before the final state (default 1). */
  runningPolls: number;
}

/**
 * The state a poll shows. Polls, not wall time, move a query along, so tests see every state
 * without sleeping: QUEUED for `queuedPolls` polls, RUNNING until the engine is done and
 * `runningPolls` have passed, then the final state. "For queries that experience certain transient
 * errors, the state transitions from RUNNING back to QUEUED"
 * (https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecutionStatus.html): the
 * `requeue` fault shows that once.
 */
export function visibleState(e: Execution, pacing: Pacing): QueryState {
  if (e.cancelled) return 'CANCELLED';
  const p = e.polls;
  const requeue = e.fault?.kind === 'requeue' ? 2 : 0;
  if (p <= pacing.queuedPolls) return 'QUEUED';
  if (requeue && p === pacing.queuedPolls + 2) return 'QUEUED';
  if (e.fault?.kind === 'hang' || !e.outcome || p <= pacing.queuedPolls + pacing.runningPolls + requeue) return 'RUNNING';
  return e.outcome.state;
}

export function isFinal(s: QueryState): boolean {
  return s === 'SUCCEEDED' || s === 'FAILED' || s === 'CANCELLED';
}

export interface Submission {
  sql: string;
  database: string;
  catalog: string;
  workgroup: string;
  outputLocation: string | null;
  token: string | null;
  fault: QueryFault | null;
}

/** Starts executing a query in the background; the record is updated when the engine is done. */
export function startExecution(
  s: Submission,
  deps: { engine: Engine; catalog: Catalog; now: () => number },
): Execution {
  const e: Execution = {
    id: randomUUID(),
    sql: s.sql,
    statementType: isDdl(s.sql) ? 'DDL' : 'DML',
    database: s.database,
    catalog: s.catalog,
    workgroup: s.workgroup,
    outputLocation: s.outputLocation,
    token: s.token,
    submittedAt: deps.now(),
    completedAt: null,
    outcome: null,
    cancelled: false,
    fault: s.fault,
    polls: 0,
    statesShown: [],
    engineMillis: 0,
  };
  void execute(e, deps);
  return e;
}

async function execute(e: Execution, deps: { engine: Engine; catalog: Catalog; now: () => number }): Promise<void> {
  const started = performance.now();
  if (e.fault?.kind === 'fail') {
    e.outcome = {
      state: 'FAILED',
      error: {
        ErrorCategory: e.fault.category ?? (e.fault.retryable ? 1 : 2),
        ErrorType: e.fault.errorType ?? (e.fault.retryable ? 401 : 1300),
        Retryable: e.fault.retryable,
        ErrorMessage: e.fault.message ?? (e.fault.retryable ? 'INTERNAL_ERROR_QUERY_ENGINE: Amazon Athena experienced an internal error while executing this query.' : 'GENERIC_USER_ERROR: the emulator was told to fail this query'),
      },
    };
    return;
  }
  if (e.fault?.kind === 'hang') return;
  try {
    if (e.statementType === 'DDL') {
      const outcome = deps.catalog.apply(e.sql, e.database);
      if (outcome.kind === 'create-table' || outcome.kind === 'drop-table') {
        const t = outcome.kind === 'create-table' ? outcome.table : outcome;
        await deps.engine.forget(t.database, t.name);
      }
      e.outcome = { state: 'SUCCEEDED', output: { columns: [], rows: [], bytesScanned: 0, filesRead: [] } };
    } else {
      const output = await deps.engine.run(e.sql, e.database, (db, name) => deps.catalog.get(db, name), deps.now());
      e.outcome = { state: 'SUCCEEDED', output };
    }
  } catch (err) {
    e.outcome = { state: 'FAILED', error: errorShape(err) };
  } finally {
    e.engineMillis = Math.round(performance.now() - started);
  }
}

function errorShape(err: unknown): AthenaErrorShape {
  if (err instanceof QueryFailure) return { ErrorCategory: err.errorCategory, ErrorType: err.errorType, Retryable: false, ErrorMessage: err.message };
  if (err instanceof DdlError) return { ErrorCategory: 2, ErrorType: err.errorType, Retryable: false, ErrorMessage: `FAILED: ${err.message}` };
  return { ErrorCategory: 1, ErrorType: 401, Retryable: true, ErrorMessage: `INTERNAL_ERROR_QUERY_ENGINE: ${err instanceof Error ? err.message : String(err)}` };
}
