import { createHash } from 'node:crypto';
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type ColumnInfo,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { AuditpackError } from '../../errors.js';
import type { AttemptRecorder } from '../../http/types.js';
import type { Clock } from '../../util/clock.js';
import type { ApiCallRetry } from './api-retry.js';
import type { CloudtrailAthenaConfig } from './config.js';
import { estimatedCostUsd } from './query-cost.js';

export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** One submission of a query (a FAILED-but-retryable query is submitted again under a new token). */
export interface QuerySubmission {
  executionId: string;
  clientRequestToken: string;
  /** Each state seen while polling, in order, repeats collapsed (RUNNING → QUEUED → RUNNING shows all three). */
  states: QueryState[];
  bytesScanned: number;
  stateChangeReason?: string;
  athenaError?: { category?: number; type?: number; retryable?: boolean; message?: string };
}

/** What the coverage ledger records of one query. */
export interface QueryLedger {
  label: string;
  sql: string;
  submissions: QuerySubmission[];
  /** The last submission's id and final state. */
  executionId: string;
  state: QueryState;
  /** Summed over submissions (a failed submission scans nothing billable, but Athena still reports it). */
  bytesScanned: number;
  /** Estimated charge in USD (src/sources/cloudtrail-athena/query-cost.ts). */
  estimatedCostUsd: number;
  statementType?: string;
  resultPages: number;
  resultRows: number;
  /** Set when auditpack stopped the query (StopQueryExecution): at its deadline, or on interruption. */
  stoppedBy?: 'deadline' | 'abort';
}

export interface QueryRunnerSettings {
  workgroup: string;
  database: string;
  catalog?: string;
  /** Omit for a workgroup with its own (or managed) result location. */
  outputLocation?: string;
  /** From the first submission to a final state, across resubmissions. */
  timeoutMs: number;
  /** Submissions when Athena reports FAILED with AthenaError.Retryable. */
  maxQueryAttempts: number;
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  /** GetQueryResults MaxResults, 1..1000. */
  pageSize?: number;
}

export interface QueryRunnerDeps {
  client: AthenaClient;
  clock: Clock;
  retry: ApiCallRetry;
}

export interface RunQueryOptions {
  signal: AbortSignal;
  /** Names the query in messages and the ledger ("window 2026-03-01 aggregates"). */
  label: string;
  /**
   * Stable across re-runs of the same work (e.g. run fingerprint + window): with the SQL it makes
   * the ClientRequestToken, so a retried or resumed submission returns the same execution
   * (https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html).
   */
  idempotencyKey: string;
  /** Counts API attempts, retries and throttles (a window's stats). */
  rec: AttemptRecorder;
  /** Receives the query's ledger when it is submitted, so a query that fails or times out is recorded too. */
  ledgers?: QueryLedger[];
}

export interface QueryResult {
  ledger: QueryLedger;
  columns: ColumnInfo[];
  /** Data rows page by page (GetQueryResults, the header row of the first page removed); null is SQL NULL. */
  pages(): AsyncGenerator<(string | null)[][]>;
}

export interface QueryRunner {
  /** Submits, polls to SUCCEEDED (or throws), and returns the result reader. */
  run(sql: string, opts: RunQueryOptions): Promise<QueryResult>;
}

/**
 * The Athena query lifecycle: StartQueryExecution with a ClientRequestToken, GetQueryExecution
 * polled with backoff through QUEUED/RUNNING to a final state
 * (https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecutionStatus.html),
 * resubmission when Athena says a failure is retryable ("True if the query might succeed if
 * resubmitted", https://docs.aws.amazon.com/athena/latest/APIReference/API_AthenaError.html),
 * StopQueryExecution on abort and past the deadline, and GetQueryResults pages whose first row
 * is the header. Each API call goes through the pluggable retry (throttling included).
 */
export function createQueryRunner(settings: QueryRunnerSettings, deps: QueryRunnerDeps): QueryRunner {
  const pageSize = Math.min(1000, Math.max(1, settings.pageSize ?? 1000));
  /** Executions this runner stopped at their deadline. */
  const stopped = new Map<string, 'deadline'>();

  async function stop(executionId: string, rec: AttemptRecorder): Promise<void> {
    // The caller's signal may be the one that aborted: stopping gets its own, short-lived one.
    const signal = AbortSignal.timeout(10_000);
    try {
      await deps.retry.run(`StopQueryExecution ${executionId}`, () => deps.client.send(new StopQueryExecutionCommand({ QueryExecutionId: executionId }), { abortSignal: signal }), {
        signal,
        rec,
      });
    } catch {
      // Best effort: the query's own timeout in the workgroup still ends it.
    }
  }

  async function poll(executionId: string, sub: QuerySubmission, deadline: number, opts: RunQueryOptions): Promise<QueryExecution> {
    let wait = settings.pollIntervalMs;
    for (;;) {
      const out = await deps.retry.run(
        `${opts.label}: GetQueryExecution ${executionId}`,
        () => deps.client.send(new GetQueryExecutionCommand({ QueryExecutionId: executionId }), { abortSignal: opts.signal }),
        { signal: opts.signal, rec: opts.rec },
      );
      const qe = out.QueryExecution ?? {};
      const state = (qe.Status?.State ?? 'QUEUED') as QueryState;
      if (sub.states[sub.states.length - 1] !== state) sub.states.push(state);
      sub.bytesScanned = qe.Statistics?.DataScannedInBytes ?? sub.bytesScanned;
      if (state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED') return qe;
      if (deps.clock.now() + wait > deadline) {
        stopped.set(executionId, 'deadline');
        await stop(executionId, opts.rec);
        throw new AuditpackError(
          'QUERY_TIMEOUT',
          `${opts.label}: Athena query ${executionId} did not finish within ${Math.round(settings.timeoutMs / 1000)} s (last state ${state})`,
          {
            hint: 'it was stopped; raise queryTimeoutMinutes, or narrow the window (windowHours) so each query scans less',
            details: { executionId, state },
          },
        );
      }
      await deps.clock.sleep(wait, opts.signal);
      wait = Math.min(settings.maxPollIntervalMs, wait * 2);
    }
  }

  async function* pages(executionId: string, ledger: QueryLedger, opts: RunQueryOptions, first: { rows: (string | null)[][]; next?: string }): AsyncGenerator<(string | null)[][]> {
    yield first.rows;
    let token = first.next;
    while (token) {
      const page = await getPage(executionId, token, opts);
      ledger.resultPages++;
      ledger.resultRows += page.rows.length;
      yield page.rows;
      token = page.next;
    }
  }

  async function getPage(executionId: string, token: string | undefined, opts: RunQueryOptions): Promise<{ rows: (string | null)[][]; next?: string; columns: ColumnInfo[] }> {
    const out = await deps.retry.run(
      `${opts.label}: GetQueryResults ${executionId}`,
      () => deps.client.send(new GetQueryResultsCommand({ QueryExecutionId: executionId, MaxResults: pageSize, ...(token ? { NextToken: token } : {}) }), { abortSignal: opts.signal }),
      { signal: opts.signal, rec: opts.rec },
    );
    return {
      rows: (out.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null)),
      ...(out.NextToken ? { next: out.NextToken } : {}),
      columns: out.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [],
    };
  }

  return {
    async run(sql, opts) {
      const ledger: QueryLedger = { label: opts.label, sql, submissions: [], executionId: '', state: 'QUEUED', bytesScanned: 0, estimatedCostUsd: 0, resultPages: 0, resultRows: 0 };
      opts.ledgers?.push(ledger);
      const deadline = deps.clock.now() + settings.timeoutMs;
      const settle = (qe: QueryExecution) => {
        ledger.bytesScanned = ledger.submissions.reduce((s, x) => s + x.bytesScanned, 0);
        ledger.statementType = qe.StatementType;
        ledger.estimatedCostUsd = ledger.submissions.reduce((s, x) => s + estimatedCostUsd(x.bytesScanned, { state: x.states[x.states.length - 1] ?? 'QUEUED', statementType: qe.StatementType }), 0);
      };
      for (let attempt = 1; ; attempt++) {
        const token = requestToken(opts.idempotencyKey, sql, attempt);
        const started = await deps.retry.run(
          `${opts.label}: StartQueryExecution`,
          () =>
            deps.client.send(
              new StartQueryExecutionCommand({
                QueryString: sql,
                ClientRequestToken: token,
                WorkGroup: settings.workgroup,
                QueryExecutionContext: { Database: settings.database, ...(settings.catalog ? { Catalog: settings.catalog } : {}) },
                ...(settings.outputLocation ? { ResultConfiguration: { OutputLocation: settings.outputLocation } } : {}),
              }),
              { abortSignal: opts.signal },
            ),
          { signal: opts.signal, rec: opts.rec },
        );
        const executionId = started.QueryExecutionId ?? '';
        const sub: QuerySubmission = { executionId, clientRequestToken: token, states: [], bytesScanned: 0 };
        ledger.submissions.push(sub);
        ledger.executionId = executionId;
        let qe: QueryExecution;
        try {
          qe = await poll(executionId, sub, deadline, opts);
        } catch (e) {
          if (opts.signal.aborted) {
            ledger.stoppedBy = 'abort';
            await stop(executionId, opts.rec);
            throw new AuditpackError('ABORTED', `${opts.label}: interrupted; Athena query ${executionId} was stopped`, { cause: e, details: { executionId } });
          }
          if (e instanceof AuditpackError && e.code !== 'QUERY_TIMEOUT' && !e.details?.executionId) {
            throw new AuditpackError(e.code, `${e.message} (Athena query ${executionId})`, { cause: e.cause, hint: e.hint, status: e.status, details: { ...e.details, executionId } });
          }
          throw e;
        } finally {
          ledger.state = sub.states[sub.states.length - 1] ?? 'QUEUED';
          const by = stopped.get(executionId);
          if (by) ledger.stoppedBy = by;
        }
        settle(qe);
        const status = qe.Status ?? {};
        if (status.StateChangeReason) sub.stateChangeReason = status.StateChangeReason;
        if (status.AthenaError) {
          sub.athenaError = {
            category: status.AthenaError.ErrorCategory,
            type: status.AthenaError.ErrorType,
            retryable: status.AthenaError.Retryable,
            message: status.AthenaError.ErrorMessage,
          };
        }
        if (ledger.state === 'SUCCEEDED') {
          const first = await getPage(executionId, undefined, opts);
          const columns = first.columns;
          // For a SELECT the first row of the first page holds the column labels.
          const rows = qe.StatementType === 'DML' ? first.rows.slice(1) : first.rows;
          ledger.resultPages = 1;
          ledger.resultRows = rows.length;
          return { ledger, columns, pages: () => pages(executionId, ledger, opts, { rows, ...(first.next ? { next: first.next } : {}) }) };
        }
        const reason = status.StateChangeReason ?? status.AthenaError?.ErrorMessage ?? ledger.state;
        if (ledger.state === 'FAILED' && status.AthenaError?.Retryable && attempt < settings.maxQueryAttempts && deps.clock.now() < deadline) {
          await deps.clock.sleep(Math.min(settings.maxPollIntervalMs, settings.pollIntervalMs * 2 ** (attempt - 1)), opts.signal);
          continue;
        }
        throw queryFailed(opts.label, executionId, ledger.state, reason, attempt);
      }
    },
  };
}

/** Deterministic, 32..128 characters: the same work and SQL give the same token; a resubmission a new one. */
export function requestToken(idempotencyKey: string, sql: string, attempt: number): string {
  const h = createHash('sha256').update(idempotencyKey).update('\0').update(sql).digest('hex').slice(0, 40);
  return `auditpack-${h}-${attempt}`;
}

function queryFailed(label: string, executionId: string, state: QueryState, reason: string, attempts: number): AuditpackError {
  const details = { executionId, state };
  if (/TABLE_NOT_FOUND|SCHEMA_NOT_FOUND|does not exist/i.test(reason)) {
    return new AuditpackError('SOURCE_NOT_FOUND', `${label}: Athena query ${executionId} ${state}: ${reason}`, {
      hint: 'create the table with `auditpack athena-table -c CONFIG --create`, or check database and table in the config',
      details,
    });
  }
  const tail = attempts > 1 ? ` (after ${attempts} submissions)` : '';
  return new AuditpackError('QUERY_FAILED', `${label}: Athena query ${executionId} ${state}${tail}: ${reason}`, { details });
}

/** The runner's settings from a cloudtrail-athena source config. */
export function runnerSettings(
  cfg: Pick<CloudtrailAthenaConfig, 'workgroup' | 'database' | 'outputLocation' | 'queryTimeoutMinutes' | 'maxQueryAttempts' | 'pollIntervalMs' | 'maxPollIntervalMs'>,
): QueryRunnerSettings {
  return {
    workgroup: cfg.workgroup,
    database: cfg.database,
    ...(cfg.outputLocation ? { outputLocation: cfg.outputLocation } : {}),
    timeoutMs: cfg.queryTimeoutMinutes * 60_000,
    maxQueryAttempts: cfg.maxQueryAttempts,
    pollIntervalMs: cfg.pollIntervalMs,
    maxPollIntervalMs: cfg.maxPollIntervalMs,
  };
}
