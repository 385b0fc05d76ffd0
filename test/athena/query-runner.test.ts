import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditpackError } from '../../src/errors.js';
import { emptyStats } from '../../src/model/coverage.js';
import { createApiRetry, DEFAULT_API_RETRY } from '../../src/sources/cloudtrail-athena/api-retry.js';
import { createAthenaClient } from '../../src/sources/cloudtrail-athena/athena-client.js';
import { estimatedCostUsd } from '../../src/sources/cloudtrail-athena/query-cost.js';
import { createQueryRunner, type QueryLedger, type QueryRunnerSettings, type RunQueryOptions } from '../../src/sources/cloudtrail-athena/query-runner.js';
import { cloudtrailTableDdl } from '../../src/sources/cloudtrail-athena/table-ddl.js';
import { createRedactor } from '../../src/util/redactor.js';
import { systemClock } from '../../src/util/clock.js';
import { ATHENA_CREDENTIALS, RESULTS, startAthenaStack, type AthenaStack } from './harness.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 4, 2, 0);
const ACCOUNT = '111122223333';

describe('Athena query runner over the wire (SDK client → emulator)', () => {
  let stack: AthenaStack;
  let runner: ReturnType<typeof createQueryRunner>;
  let key = 0;

  const settings: QueryRunnerSettings = {
    workgroup: 'primary',
    database: 'default',
    outputLocation: RESULTS,
    timeoutMs: 60_000,
    maxQueryAttempts: 3,
    pollIntervalMs: 5,
    maxPollIntervalMs: 20,
  };
  const makeRunner = (over: Partial<QueryRunnerSettings> = {}) => {
    const env = { AWS_ACCESS_KEY_ID: ATHENA_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: ATHENA_CREDENTIALS.secretAccessKey };
    const client = createAthenaClient({ region: 'us-east-1', endpoint: stack.athena.url }, { env, redactor: createRedactor() });
    return createQueryRunner({ ...settings, ...over }, { client, clock: systemClock, retry: createApiRetry({ ...DEFAULT_API_RETRY, baseDelayMs: 5, maxDelayMs: 20 }, { clock: systemClock, endpoint: stack.athena.url }) });
  };
  const opts = (over: Partial<RunQueryOptions> = {}): RunQueryOptions => ({ signal: new AbortController().signal, label: 'test query', idempotencyKey: `run-${++key}`, rec: emptyStats(), ...over });
  const collect = async (pages: AsyncGenerator<(string | null)[][]>) => {
    const rows: (string | null)[][] = [];
    for await (const p of pages) rows.push(...p);
    return rows;
  };

  beforeAll(async () => {
    stack = await startAthenaStack({ accounts: [ACCOUNT], regions: ['us-east-1'], period: { start: START, end: START + 6 * HOUR }, seed: 'runner', eventsPerFile: 4, fileEveryMinutes: 60 });
    runner = makeRunner();
    await runner.run(cloudtrailTableDdl(stack.config()), opts({ label: 'create table' }));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('pages results with the header row removed once, and records the query in its ledger', async () => {
    const small = makeRunner({ pageSize: 7 });
    const sql = `SELECT eventid FROM cloudtrail_logs WHERE account = '${ACCOUNT}' ORDER BY eventid`;
    const res = await small.run(sql, opts());
    expect(res.columns.map((c) => c.Name)).toEqual(['eventid']);
    const rows = await collect(res.pages());
    expect(rows.map((r) => r[0])).toEqual(stack.truth.events.map((e) => e.id).sort());
    // 24 rows + the header = 25 rows in pages of 7.
    expect(res.ledger).toMatchObject({ state: 'SUCCEEDED', resultPages: 4, resultRows: 24, sql, statementType: 'DML' });
    expect(res.ledger.submissions).toHaveLength(1);
    expect(res.ledger.submissions[0].states).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(res.ledger.executionId).toBe(res.ledger.submissions[0].executionId);
    expect(res.ledger.bytesScanned).toBeGreaterThan(0);
    // Tiny scans are billed as 10 MB: $5 per TB.
    expect(res.ledger.estimatedCostUsd).toBe((10 / 1024 / 1024) * 5);
  });

  it('the same idempotency key and SQL give the same execution (ClientRequestToken)', async () => {
    const o = opts();
    const a = await runner.run('SELECT 1 AS one', o);
    const before = stack.athena.executions().length;
    const b = await runner.run('SELECT 1 AS one', { ...o, rec: emptyStats() });
    expect(b.ledger.executionId).toBe(a.ledger.executionId);
    expect(stack.athena.executions()).toHaveLength(before);
    expect(await collect(b.pages())).toEqual([['1']]);
  });

  it('retries TooManyRequestsException and counts the throttles', async () => {
    stack.athena.throttleNext(2, ['StartQueryExecution']);
    stack.athena.throttleNext(1, ['GetQueryResults']);
    const o = opts();
    const res = await runner.run(`SELECT 'throttled' AS x`, o);
    expect(await collect(res.pages())).toEqual([['throttled']]);
    expect(o.rec.throttles).toBe(3);
    expect(o.rec.retries).toBe(3);
  });

  it('resubmits a query that FAILED with AthenaError.Retryable, under a new token, and succeeds', async () => {
    stack.athena.queryFaults.add({ fault: { kind: 'fail', retryable: true }, match: 'transient-once' });
    const res = await runner.run(`SELECT 'transient-once' AS x`, opts());
    expect(await collect(res.pages())).toEqual([['transient-once']]);
    const [first, second] = res.ledger.submissions;
    expect(first.states[first.states.length - 1]).toBe('FAILED');
    expect(first.athenaError).toMatchObject({ retryable: true, category: 1 });
    expect(second.states[second.states.length - 1]).toBe('SUCCEEDED');
    expect(second.clientRequestToken).not.toBe(first.clientRequestToken);
    expect(res.ledger.estimatedCostUsd).toBe((10 / 1024 / 1024) * 5);
  });

  it('a query that fails for good names its execution id; a missing table says how to create it', async () => {
    stack.athena.queryFaults.add({ fault: { kind: 'fail', retryable: false, message: 'GENERIC_USER_ERROR: no' }, match: 'fails-for-good' });
    const ledgers: QueryLedger[] = [];
    const err = await runner.run(`SELECT 'fails-for-good' AS x`, opts({ ledgers })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditpackError);
    expect(err).toMatchObject({ code: 'QUERY_FAILED', details: { executionId: ledgers[0].executionId } });
    expect((err as Error).message).toContain(ledgers[0].executionId);
    expect(ledgers[0].submissions).toHaveLength(1);
    const missing = await runner.run('SELECT count(*) FROM no_such_table', opts()).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'SOURCE_NOT_FOUND', hint: expect.stringContaining('athena-table') });
  });

  it('a query that never finishes: stopped at the deadline, QUERY_TIMEOUT naming its execution id', async () => {
    stack.athena.queryFaults.add({ fault: { kind: 'hang' }, match: 'never-ends' });
    const ledgers: QueryLedger[] = [];
    const err = await makeRunner({ timeoutMs: 300 })
      .run(`SELECT 'never-ends' AS x`, opts({ ledgers }))
      .catch((e: unknown) => e);
    const id = ledgers[0].executionId;
    expect(err).toMatchObject({ code: 'QUERY_TIMEOUT', details: { executionId: id } });
    expect((err as Error).message).toContain(id);
    expect(ledgers[0]).toMatchObject({ state: 'RUNNING', stoppedBy: 'deadline' });
    expect(stack.athena.execution(id)?.cancelled).toBe(true);
  });

  it('stops the query when the run is aborted (Ctrl-C)', async () => {
    stack.athena.queryFaults.add({ fault: { kind: 'hang' }, match: 'interrupted' });
    const ac = new AbortController();
    const ledgers: QueryLedger[] = [];
    const pending = runner.run(`SELECT 'interrupted' AS x`, opts({ signal: ac.signal, ledgers })).catch((e: unknown) => e);
    // Abort once the query is seen RUNNING.
    while (!ledgers[0]?.submissions[0]?.states.includes('RUNNING')) await systemClock.sleep(5);
    ac.abort();
    const err = await pending;
    const id = ledgers[0].executionId;
    expect(err).toMatchObject({ code: 'ABORTED', details: { executionId: id } });
    expect(ledgers[0].stoppedBy).toBe('abort');
    expect(stack.athena.execution(id)?.cancelled).toBe(true);
  });

  it('estimates cost as AWS prices it: 10 MB minimum, whole MB, nothing for failed queries or DDL', () => {
    const MB = 1024 * 1024;
    expect(estimatedCostUsd(0, { state: 'SUCCEEDED' })).toBe((10 / 1024 / 1024) * 5);
    expect(estimatedCostUsd(1024 * 1024 * MB + 1, { state: 'SUCCEEDED' })).toBeCloseTo(5 + 5 / 1024 / 1024, 12);
    expect(estimatedCostUsd(50 * MB, { state: 'FAILED' })).toBe(0);
    expect(estimatedCostUsd(50 * MB, { state: 'SUCCEEDED', statementType: 'DDL' })).toBe(0);
    expect(estimatedCostUsd(50 * MB, { state: 'CANCELLED' })).toBe((50 / 1024 / 1024) * 5);
  });
});
