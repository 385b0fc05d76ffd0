import { statSync } from 'node:fs';
import { join } from 'node:path';
import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand, type AthenaClient } from '@aws-sdk/client-athena';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudtrailTableDdl } from '../../src/sources/cloudtrail-athena/table-ddl.js';
import { allRows, BUCKET, PREFIX, RESULTS, runToEnd, startAthenaStack, type AthenaStack } from './harness.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 2, 7, 20);
const END = START + 30 * HOUR;
const ACCOUNTS = ['111122223333', '444455556666'];
const REGIONS = ['us-east-1', 'us-west-2'];

describe('Athena emulator over the wire (AWS SDK → emulator → DuckDB over s3rver)', () => {
  let stack: AthenaStack;
  let client: AthenaClient;
  const sizeOf = (key: string) => statSync(join(stack.folder, ...key.split('/'))).size;

  beforeAll(async () => {
    stack = await startAthenaStack({ accounts: ACCOUNTS, regions: REGIONS, period: { start: START, end: END }, seed: 'athena', eventsPerFile: 3, fileEveryMinutes: 180 });
    client = stack.client();
    // The table projects only us-east-1: us-west-2 is a partition Athena does not know.
    const ddl = await runToEnd(client, cloudtrailTableDdl(stack.config({ regions: ['us-east-1'] })));
    expect(ddl.Status?.State).toBe('SUCCEEDED');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('remembers the CREATE EXTERNAL TABLE: location, partitions and projection properties', () => {
    const t = stack.athena.catalog.get('default', 'cloudtrail_logs');
    expect(t?.location).toBe(`s3://${BUCKET}/${PREFIX}/AWSLogs/`);
    expect(t?.partitions.map((p) => p.name)).toEqual(['account', 'region', 'delivery_date']);
    expect(t?.properties['projection.region.values']).toBe('us-east-1');
    expect(t?.properties['storage.location.template']).toBe(`s3://${BUCKET}/${PREFIX}/AWSLogs/\${account}/CloudTrail/\${region}/\${delivery_date}/`);
  });

  it('runs a SELECT over the projected partitions: rows, "$path", and bytes scanned = compressed sizes of the files read', async () => {
    const sql = `SELECT "$path" AS path, count(*) AS n FROM cloudtrail_logs
      WHERE account = '${ACCOUNTS[0]}' AND region IN ('us-east-1') AND delivery_date BETWEEN '2026/03/07' AND '2026/03/09'
      GROUP BY 1 ORDER BY 1`;
    const q = await runToEnd(client, sql);
    expect(q.Status?.State).toBe('SUCCEEDED');
    const { rows } = await allRows(client, q.QueryExecutionId as string);
    expect(rows[0]).toEqual(['path', 'n']);
    const files = stack.truth.files.filter((f) => f.account === ACCOUNTS[0] && f.region === 'us-east-1');
    expect(rows.slice(1)).toEqual(files.map((f) => [`s3://${BUCKET}/${PREFIX}/${f.key}`, String(f.records)]).sort());
    expect(q.Statistics?.DataScannedInBytes).toBe(files.reduce((s, f) => s + sizeOf(f.key), 0));
    expect(q.StatementType).toBe('DML');
    expect(q.ResultConfiguration?.OutputLocation).toBe(`${RESULTS}${q.QueryExecutionId}.csv`);
  });

  it('prunes on the delivery date: a day without files scans nothing', async () => {
    const q = await runToEnd(client, `SELECT count(*) FROM cloudtrail_logs WHERE delivery_date = '2026/03/01'`);
    expect(q.Status?.State).toBe('SUCCEEDED');
    expect(q.Statistics?.DataScannedInBytes).toBe(0);
    expect((await allRows(client, q.QueryExecutionId as string)).rows).toEqual([['_col0'], ['0']]);
  });

  it('a partition the projection does not produce returns zero rows, silently', async () => {
    const q = await runToEnd(client, `SELECT count(*) AS n FROM cloudtrail_logs WHERE region = 'us-west-2'`);
    expect(q.Status?.State).toBe('SUCCEEDED');
    expect((await allRows(client, q.QueryExecutionId as string)).rows).toEqual([['n'], ['0']]);
    const all = await runToEnd(client, `SELECT count(DISTINCT "$path") AS files, count(*) AS n FROM cloudtrail_logs`);
    const east = stack.truth.files.filter((f) => f.region === 'us-east-1');
    expect((await allRows(client, all.QueryExecutionId as string)).rows[1]).toEqual([String(east.length), String(east.reduce((s, f) => s + f.records, 0))]);
  });

  it('maps the Trino functions the queries use onto DuckDB, with Trino semantics', async () => {
    const q = await runToEnd(
      client,
      `SELECT eventid,
         date(from_iso8601_timestamp(eventtime) AT TIME ZONE 'America/New_York') AS local_day,
         json_extract_scalar(requestparameters, '$.roomName') AS room,
         json_extract_scalar('{"a":{"b":1}}', '$.a') AS object_is_null,
         useridentity.type AS identity_type,
         day_of_week(from_iso8601_timestamp('2026-03-08T12:00:00Z')) AS sunday,
         resources[1].arn AS resource_arn
       FROM cloudtrail_logs WHERE eventname = 'CreateRoom' ORDER BY eventid LIMIT 1`,
    );
    expect(q.Status?.StateChangeReason).toBeUndefined();
    const { rows } = await allRows(client, q.QueryExecutionId as string);
    const [, row] = rows;
    const ev = stack.truth.events.find((e) => e.id === row[0]);
    expect(ev).toBeDefined();
    expect(row[1]).toBe(new Date((ev?.time ?? 0) - 5 * HOUR).toISOString().slice(0, 10));
    expect(['Lobby', 'Board room', 'Kitchen']).toContain(row[2]);
    expect(row[3]).toBeNull();
    expect(row[4]).toMatch(/^(IAMUser|AssumedRole|Root)$/);
    expect(row[5]).toBe('7');
    // resources[].ARN is upper-case in the files; the SerDe matches it to the column's lower-case arn.
    expect(row[6]).toMatch(/^arn:aws:a4b:/);
  });

  it('pages results: header row first, NextToken, MaxResults at most 1000, column types', async () => {
    const q = await runToEnd(client, `SELECT eventid, eventtime FROM cloudtrail_logs ORDER BY eventid`);
    const id = q.QueryExecutionId as string;
    const events = stack.truth.events.filter((e) => e.region === 'us-east-1');
    const { rows, pages } = await allRows(client, id, 7);
    expect(rows[0]).toEqual(['eventid', 'eventtime']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(events.map((e) => e.id).sort());
    expect(pages).toBe(Math.ceil((events.length + 1) / 7));
    const first = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 3 }));
    expect(first.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((c) => [c.Name, c.Type])).toEqual([
      ['eventid', 'varchar'],
      ['eventtime', 'varchar'],
    ]);
    await expect(client.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1001 }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
  });

  it('refuses what the Trino grammar refuses (DuckDB-only syntax), as a FAILED query', async () => {
    const q = await runToEnd(client, `SELECT requestparameters ->> 'roomName' FROM cloudtrail_logs`);
    expect(q.Status?.State).toBe('FAILED');
    expect(q.Status?.AthenaError).toMatchObject({ ErrorCategory: 2, Retryable: false });
    expect(q.Status?.StateChangeReason).toMatch(/SYNTAX_ERROR/);
  });

  it('ClientRequestToken: the same token gives the same execution; changed SQL under it is refused', async () => {
    const token = 'auditpack-test-token-0000000000000001';
    const a = await client.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', ClientRequestToken: token, ResultConfiguration: { OutputLocation: RESULTS } }));
    const b = await client.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', ClientRequestToken: token, ResultConfiguration: { OutputLocation: RESULTS } }));
    expect(b.QueryExecutionId).toBe(a.QueryExecutionId);
    await expect(
      client.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 2', ClientRequestToken: token, ResultConfiguration: { OutputLocation: RESULTS } })),
    ).rejects.toMatchObject({ name: 'InvalidRequestException', AthenaErrorCode: 'INVALID_INPUT' });
    await expect(client.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' }))).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringMatching(/No output location provided/),
    });
  });

  it('throttles, fails transiently, hangs and stops as scripted', async () => {
    stack.athena.throttleNext(1, ['StartQueryExecution']);
    await expect(client.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', ResultConfiguration: { OutputLocation: RESULTS } }))).rejects.toMatchObject({
      name: 'TooManyRequestsException',
      $metadata: { httpStatusCode: 400 },
    });
    stack.athena.queryFaults.add({ fault: { kind: 'fail', retryable: true }, match: 'transient' });
    const failed = await runToEnd(client, `SELECT 'transient' AS x`);
    expect(failed.Status).toMatchObject({ State: 'FAILED', AthenaError: { Retryable: true, ErrorCategory: 1 } });
    expect((await runToEnd(client, `SELECT 'transient' AS x`)).Status?.State).toBe('SUCCEEDED');

    stack.athena.queryFaults.add({ fault: { kind: 'hang' } });
    const { QueryExecutionId } = await client.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 42', ResultConfiguration: { OutputLocation: RESULTS } }));
    const states: string[] = [];
    for (let i = 0; i < 5; i++) states.push((await client.send(new GetQueryExecutionCommand({ QueryExecutionId }))).QueryExecution?.Status?.State ?? '');
    expect(states).toEqual(['QUEUED', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);
    await expect(client.send(new GetQueryResultsCommand({ QueryExecutionId }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
    // The active-query quota counts the running one.
    stack.athena.setMaxActiveQueries(1);
    await expect(client.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 2', ResultConfiguration: { OutputLocation: RESULTS } }))).rejects.toMatchObject({
      name: 'TooManyRequestsException',
      Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED',
    });
    await client.send(new StopQueryExecutionCommand({ QueryExecutionId }));
    stack.athena.setMaxActiveQueries(25);
    expect((await client.send(new GetQueryExecutionCommand({ QueryExecutionId }))).QueryExecution?.Status?.State).toBe('CANCELLED');
  });
});
