import { startEmulator, type EmuRequest, type EmuResponse, type RunningEmulator } from '../kit/server.js';
import { AMZ_JSON, awsJson } from '../cloudtrail/aws-json.js';
import { headerValue, readCredentialScope } from '../cloudtrail/sigv4-scope.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { createCatalog, isDdl, type Catalog } from './catalog.js';
import { createEngine } from './engine.js';
import { isFinal, startExecution, visibleState, type Execution, type Pacing, type QueryState } from './executions.js';
import type { ObjectStore } from './object-store.js';
import { createQueryFaults, parseQueryFaultRule, type QueryFaults } from './query-faults.js';

export { s3ObjectStore, folderObjectStore, type ObjectStore } from './object-store.js';
import { answerS3Read } from './s3-read.js';
export type { QueryFault, QueryFaultRule } from './query-faults.js';
export type { QueryState } from './executions.js';
export type { TableDef } from './catalog.js';

const TARGET_PREFIX = 'AmazonAthena.';
/** "Length Constraints: Minimum length of 1. Maximum length of 262144" (https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html). */
const MAX_QUERY_BYTES = 262_144;

export interface WorkGroup {
  name: string;
  /** The workgroup's result location; with `enforce`, it overrides the request's. */
  outputLocation?: string;
  enforce?: boolean;
}

export interface AthenaEmulatorOptions {
  port?: number;
  host?: string;
  /** Where table data is read from: the S3 emulator, or folders standing in for buckets. */
  store: ObjectStore;
  /**
   * Also serve these buckets (bucket → folder, as folderObjectStore reads them) read-only over the
   * S3 REST API on the same port (s3-read.ts): the demo's digest reads.
   */
  serveS3?: Record<string, string>;
  clock?: Clock;
  /** Default: `primary`, without a result location (as in a new account). */
  workgroups?: WorkGroup[];
  /** Active (QUEUED or RUNNING) queries allowed; one more is a TooManyRequestsException. Default 25. */
  maxActiveQueries?: number;
  pacing?: Partial<Pacing>;
  /**
   * Called with every SQL text submitted; a returned string refuses it as a syntax error (FAILED,
   * ErrorCategory 2). Tests pass a Trino/Hive grammar check here so nothing DuckDB-only slips through.
   */
  checkSql?: (sql: string, kind: 'DDL' | 'DML') => string | null;
}

export interface AthenaEmulatorCounters {
  /** Requests by operation (throttled ones included). */
  requests: Record<string, number>;
  throttled: number;
  /** Error answers by `__type`. */
  errors: Record<string, number>;
  stopped: number;
}

export interface AthenaEmulator extends RunningEmulator {
  catalog: Catalog;
  queryFaults: QueryFaults;
  /** Changes the active-query quota (QUEUED and RUNNING queries) StartQueryExecution enforces. */
  setMaxActiveQueries(n: number): void;
  /** The next `times` calls of these operations (default: every one) answer TooManyRequestsException. */
  throttleNext(times: number, operations?: string[]): void;
  executions(): readonly Execution[];
  execution(id: string): Execution | undefined;
  counters(): AthenaEmulatorCounters;
}

/**
 * A local Amazon Athena speaking AWS JSON 1.1 (`X-Amz-Target: AmazonAthena.<Operation>`) with
 * the shapes of the real API: StartQueryExecution (ClientRequestToken idempotency, quotas),
 * GetQueryExecution (states, AthenaError, Statistics), GetQueryResults (header row first, pages of
 * at most 1,000 rows), StopQueryExecution. SQL runs on DuckDB over the objects of `store`, with
 * CREATE EXTERNAL TABLE and partition projection as Athena applies them.
 */
export async function startAthenaEmulator(options: AthenaEmulatorOptions): Promise<AthenaEmulator> {
  const clock = options.clock ?? systemClock;
  const pacing: Pacing = { queuedPolls: options.pacing?.queuedPolls ?? 1, runningPolls: options.pacing?.runningPolls ?? 1 };
  const workgroups = new Map((options.workgroups ?? [{ name: 'primary' }]).map((w) => [w.name, w]));
  let maxActive = options.maxActiveQueries ?? 25;
  const catalog = createCatalog();
  const engine = await createEngine(options.store);
  const queryFaults = createQueryFaults();
  const executions = new Map<string, Execution>();
  const byToken = new Map<string, Execution>();
  const throttles: { left: number; operations?: string[] }[] = [];
  const counters: AthenaEmulatorCounters = { requests: {}, throttled: 0, errors: {}, stopped: 0 };

  const error = (type: string, message: string, extra: Record<string, unknown> = {}, status = 400): EmuResponse => {
    counters.errors[type] = (counters.errors[type] ?? 0) + 1;
    // Athena's error bodies carry "Message" (capitalised) beside __type, as its model names it.
    return awsJson(status, { __type: type, Message: message, ...extra });
  };
  const invalid = (message: string, code = 'INVALID_INPUT') => error('InvalidRequestException', message, { AthenaErrorCode: code });

  const takeThrottle = (op: string): boolean => {
    const t = throttles.find((x) => x.left > 0 && (!x.operations || x.operations.includes(op)));
    if (!t) return false;
    t.left--;
    return true;
  };

  // Still working: the engine has not finished it (or it hangs). Polls only pace what clients see,
  // so a query nobody polls does not hold the quota forever.
  const active = () => [...executions.values()].filter((e) => !e.cancelled && (e.fault?.kind === 'hang' || e.outcome === null)).length;
  /** The state without counting a poll (a query whose polls have not reached its end is still active). */
  const stateNow = (e: Execution): QueryState => visibleState(e, pacing);

  const operations: Record<string, (body: Record<string, unknown>) => EmuResponse> = {
    StartQueryExecution(body) {
      const sql = body.QueryString;
      if (typeof sql !== 'string' || sql.length === 0) return invalid('QueryString is required and must not be empty');
      if (Buffer.byteLength(sql) > MAX_QUERY_BYTES) return invalid(`QueryString exceeds the maximum length of ${MAX_QUERY_BYTES} bytes`);
      const token = typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : null;
      if (token !== null && (token.length < 32 || token.length > 128)) return invalid('ClientRequestToken must be 32 to 128 characters long');
      const context = (body.QueryExecutionContext ?? {}) as { Database?: unknown; Catalog?: unknown };
      const database = typeof context.Database === 'string' ? context.Database.toLowerCase() : 'default';
      const catalogName = typeof context.Catalog === 'string' ? context.Catalog : 'AwsDataCatalog';
      const wgName = typeof body.WorkGroup === 'string' ? body.WorkGroup : 'primary';
      const requested = ((body.ResultConfiguration ?? {}) as { OutputLocation?: unknown }).OutputLocation;
      if (token !== null) {
        const earlier = byToken.get(token);
        if (earlier) {
          // "An error is returned if a parameter, such as QueryString, has changed" (StartQueryExecution page).
          if (earlier.sql !== sql || earlier.database !== database || earlier.workgroup !== wgName) {
            return invalid('Idempotent parameters do not match', 'INVALID_INPUT');
          }
          return awsJson(200, { QueryExecutionId: earlier.id });
        }
      }
      const wg = workgroups.get(wgName);
      if (!wg) return invalid(`WorkGroup ${wgName} is not found.`, 'INVALID_INPUT');
      if (typeof requested === 'string' && !/^s3:\/\/[^/]+/.test(requested)) return invalid(`Invalid OutputLocation: ${requested}`);
      const outputLocation = wg.enforce && wg.outputLocation ? wg.outputLocation : typeof requested === 'string' ? requested : (wg.outputLocation ?? null);
      if (!outputLocation) {
        return invalid('No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.');
      }
      // Active DML queries "include both running and queued queries" (https://docs.aws.amazon.com/athena/latest/ug/service-limits.html).
      if (active() >= maxActive) {
        counters.throttled++;
        return error('TooManyRequestsException', 'You have exceeded the limit for the number of queries you can run concurrently. Reduce the number of concurrent queries submitted by this account.', {
          Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED',
        });
      }
      const kind = isDdl(sql) ? 'DDL' : 'DML';
      const refused = options.checkSql?.(sql, kind) ?? null;
      const fault = refused ? { kind: 'fail' as const, retryable: false, category: 2 as const, errorType: 1002, message: `SYNTAX_ERROR: ${refused}` } : queryFaults.take(sql);
      const e = startExecution(
        { sql, database, catalog: catalogName, workgroup: wgName, outputLocation, token, fault },
        { engine, catalog, now: () => clock.now() },
      );
      executions.set(e.id, e);
      if (token !== null) byToken.set(token, e);
      return awsJson(200, { QueryExecutionId: e.id });
    },

    GetQueryExecution(body) {
      const e = lookup(body);
      if ('status' in e) return e;
      e.polls++;
      const state = visibleState(e, pacing);
      e.statesShown.push(state);
      if (isFinal(state) && e.completedAt === null) e.completedAt = clock.now();
      return awsJson(200, { QueryExecution: describe(e, state) });
    },

    GetQueryResults(body) {
      const e = lookup(body);
      if ('status' in e) return e;
      const state = stateNow(e);
      if (state !== 'SUCCEEDED' || e.outcome?.state !== 'SUCCEEDED') {
        return isFinal(state)
          ? invalid(`Query did not finish successfully. Final query state: ${state}${e.outcome?.state === 'FAILED' ? `\n${e.outcome.error.ErrorMessage}` : ''}`)
          : invalid(`Query has not yet finished. Current state: ${state}`);
      }
      const max = body.MaxResults === undefined ? 1000 : body.MaxResults;
      if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 1000) {
        return invalid(`1 validation error detected: Value '${String(max)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
      }
      let offset = 0;
      if (body.NextToken !== undefined) {
        const parsed = parseNextToken(body.NextToken, e.id);
        if (parsed === null) return invalid('The NextToken is not valid.');
        offset = parsed;
      }
      const out = e.outcome.output;
      // For a SELECT, the first row of the first page is the column labels (and counts in MaxResults).
      const all = e.statementType === 'DML' ? [out.columns.map((c) => c.name), ...out.rows] : out.rows;
      const page = all.slice(offset, offset + max);
      const next = offset + max < all.length ? Buffer.from(JSON.stringify({ q: e.id, o: offset + max })).toString('base64') : undefined;
      return awsJson(200, {
        UpdateCount: 0,
        ResultSet: {
          Rows: page.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
          ResultSetMetadata: {
            ColumnInfo: out.columns.map((c) => ({
              CatalogName: 'hive',
              SchemaName: '',
              TableName: '',
              Name: c.name,
              Label: c.name,
              Type: c.type,
              Precision: c.type === 'varchar' ? 2147483647 : c.type === 'bigint' ? 19 : 0,
              Scale: 0,
              Nullable: 'UNKNOWN',
              CaseSensitive: c.type === 'varchar',
            })),
          },
        },
        ...(next ? { NextToken: next } : {}),
      });
    },

    StopQueryExecution(body) {
      const e = lookup(body);
      if ('status' in e) return e;
      if (!isFinal(stateNow(e))) {
        e.cancelled = true;
        counters.stopped++;
      }
      return awsJson(200, {});
    },
  };

  function lookup(body: Record<string, unknown>): Execution | EmuResponse {
    const id = body.QueryExecutionId;
    if (typeof id !== 'string' || id.length === 0) return invalid('QueryExecutionId is required');
    return executions.get(id) ?? invalid(`QueryExecution ${id} was not found`);
  }

  function describe(e: Execution, state: QueryState): Record<string, unknown> {
    const output = e.outcome?.state === 'SUCCEEDED' && state === 'SUCCEEDED' ? e.outcome.output : null;
    const finished = isFinal(state);
    const total = finished && e.completedAt !== null ? e.completedAt - e.submittedAt : clock.now() - e.submittedAt;
    return {
      QueryExecutionId: e.id,
      Query: e.sql,
      StatementType: e.statementType,
      ...(e.outputLocation ? { ResultConfiguration: { OutputLocation: `${e.outputLocation.replace(/\/?$/, '/')}${e.id}.${e.statementType === 'DDL' ? 'txt' : 'csv'}` } } : {}),
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
      QueryExecutionContext: { Database: e.database, Catalog: e.catalog.toLowerCase() },
      Status: {
        State: state,
        ...(state === 'FAILED' && e.outcome?.state === 'FAILED' ? { StateChangeReason: e.outcome.error.ErrorMessage, AthenaError: e.outcome.error } : {}),
        ...(state === 'CANCELLED' ? { StateChangeReason: 'Query cancelled by user' } : {}),
        SubmissionDateTime: e.submittedAt / 1000,
        ...(finished && e.completedAt !== null ? { CompletionDateTime: e.completedAt / 1000 } : {}),
      },
      Statistics: {
        EngineExecutionTimeInMillis: finished ? e.engineMillis : 0,
        DataScannedInBytes: output?.bytesScanned ?? 0,
        TotalExecutionTimeInMillis: Math.max(0, total),
        QueryQueueTimeInMillis: 0,
        ServicePreProcessingTimeInMillis: 0,
        QueryPlanningTimeInMillis: 0,
        ServiceProcessingTimeInMillis: 0,
        ResultReuseInformation: { ReusedPreviousResult: false },
      },
      WorkGroup: e.workgroup,
      EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
      SubstatementType: e.statementType === 'DDL' ? (/^\s*CREATE\s+DATABASE/i.test(e.sql) ? 'CREATE_DATABASE' : /^\s*CREATE/i.test(e.sql) ? 'CREATE_TABLE' : 'ALTER_TABLE') : 'SELECT',
    };
  }

  const handler = async (req: EmuRequest): Promise<EmuResponse> => {
    const s3 = options.serveS3 ? await answerS3Read(req, options.store, options.serveS3) : null;
    if (s3) return s3;
    if (req.method !== 'POST' || req.path !== '/') return error('UnknownOperationException', `${req.method} ${req.path} is not an Athena operation; POST / with X-Amz-Target.`, {}, 404);
    const target = headerValue(req.headers, 'x-amz-target') ?? '';
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const scope = readCredentialScope(req.headers, 'athena');
    if ('status' in scope) return scope;
    const contentType = headerValue(req.headers, 'content-type') ?? '';
    if (!contentType.startsWith(AMZ_JSON)) return error('UnknownOperationException', `Content-Type must be ${AMZ_JSON}`);
    const fn = operations[op];
    if (!fn) return error('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
    counters.requests[op] = (counters.requests[op] ?? 0) + 1;
    if (takeThrottle(op)) {
      counters.throttled++;
      return error('TooManyRequestsException', 'Rate exceeded', {});
    }
    let body: Record<string, unknown>;
    try {
      const parsed = req.body.trim() ? (JSON.parse(req.body) as unknown) : {};
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return error('SerializationException', 'Start of structure or map found where not expected.');
    }
    return fn(body);
  };

  const server = await startEmulator(handler, {
    port: options.port,
    host: options.host,
    controls: {
      'query-faults': (body) => {
        const b = body as { clear?: boolean };
        if (b.clear) queryFaults.clear();
        else queryFaults.add(parseQueryFaultRule(body));
        return { ok: true };
      },
      throttle: (body) => {
        const b = body as { times?: unknown; operations?: unknown };
        if (typeof b.times !== 'number') throw new Error('times must be a number');
        throttles.push({ left: b.times, ...(Array.isArray(b.operations) ? { operations: b.operations.map(String) } : {}) });
        return { ok: true };
      },
    },
  });
  return {
    ...server,
    catalog,
    queryFaults,
    setMaxActiveQueries: (n) => {
      maxActive = n;
    },
    throttleNext: (times, operations) => {
      throttles.push({ left: times, ...(operations ? { operations } : {}) });
    },
    executions: () => [...executions.values()],
    execution: (id) => executions.get(id),
    counters: () => ({ ...counters, requests: { ...counters.requests }, errors: { ...counters.errors } }),
    close: async () => {
      await server.close();
      await engine.close();
      options.store.close();
    },
  };
}

function parseNextToken(token: unknown, id: string): number | null {
  if (typeof token !== 'string') return null;
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { q?: unknown; o?: unknown };
    return t.q === id && typeof t.o === 'number' && Number.isInteger(t.o) && t.o > 0 ? t.o : null;
  } catch {
    return null;
  }
}

