import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join, relative, sep } from 'node:path';
import type { QueryRecord, WindowQueryRunner } from '../../../src/sources/cloudtrail-athena/run-window.js';

/**
 * A test stand-in for Athena until the emulator (src/emulators/athena) is used over the wire:
 * the CloudTrail table as AWS documents it, loaded into DuckDB from a log folder in the S3 key
 * layout, with the few Trino functions auditpack's SQL uses mapped onto DuckDB.
 */
export interface TrinoOnDuck {
  query(sql: string): Promise<Record<string, string | null>[]>;
  /** The source's query runner shape (query-runner.ts), run in process: every SQL text is kept. */
  runner: WindowQueryRunner;
  sqlTexts: string[];
  close(): void;
}

const RECORD = `STRUCT(
  eventVersion VARCHAR,
  userIdentity STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, invokedBy VARCHAR, accessKeyId VARCHAR, userName VARCHAR,
    sessionContext STRUCT(attributes STRUCT(mfaAuthenticated VARCHAR, creationDate VARCHAR),
      sessionIssuer STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR))),
  eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, userAgent VARCHAR,
  errorCode VARCHAR, errorMessage VARCHAR, requestParameters JSON, responseElements JSON, additionalEventData JSON,
  requestID VARCHAR, eventID VARCHAR, readOnly VARCHAR, resources STRUCT(ARN VARCHAR, accountId VARCHAR, type VARCHAR)[],
  eventType VARCHAR, apiVersion VARCHAR, recipientAccountId VARCHAR, serviceEventDetails JSON, sharedEventID VARCHAR,
  vpcEndpointId VARCHAR, eventCategory VARCHAR)`;

const MACROS = [
  `CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`,
  `CREATE MACRO json_extract_scalar(j, p) AS CASE WHEN json_type(j, p) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(j, p) END`,
  `CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)`,
  `CREATE MACRO day_of_week(t) AS isodow(t)`,
  `CREATE MACRO json_format(j) AS CAST(j AS VARCHAR)`,
];

function logFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/_CloudTrail_[a-z0-9-]+_\d{8}T\d{4}Z_[A-Za-z0-9]+\.json\.gz$/.test(n) && p.includes('/CloudTrail/')) out.push(p);
    }
  };
  walk(root);
  return out;
}

export async function openTrinoOnDuck(folder: string, opts: { bucketUrl: string; database: string; table: string }): Promise<TrinoOnDuck> {
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  const db: DuckDBConnection = await instance.connect();
  await db.run(`SET TimeZone = 'UTC'`);
  for (const m of MACROS) await db.run(m);
  await db.run(`CREATE SCHEMA ${JSON.stringify(opts.database)}`);
  // One NDJSON file of (path, record) read once: DuckDB's per-file overhead on a thousand small
  // gzip files dominated the load.
  const ndjson = join(mkdtempSync(join(tmpdir(), 'ap-duck-')), 'records.ndjson');
  const prefix = opts.bucketUrl.replace(/\/?$/, '/');
  const lines: string[] = [];
  for (const file of logFiles(folder)) {
    const key = relative(folder, file).split(sep).join('/');
    const parsed = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as { Records?: unknown[] };
    for (const r of parsed.Records ?? []) lines.push(JSON.stringify({ p: prefix + key, r }));
  }
  writeFileSync(ndjson, lines.join('\n') + '\n');
  await db.run(`CREATE TABLE ${JSON.stringify(opts.database)}.${JSON.stringify(opts.table)} AS
    WITH f AS (SELECT r, p FROM read_json('${ndjson}', columns = {p: 'VARCHAR', r: '${RECORD.replace(/\n/g, ' ')}'}, format = 'newline_delimited', maximum_object_size = 1073741824))
    SELECT r.eventVersion AS eventversion, r.userIdentity AS useridentity, r.eventTime AS eventtime, r.eventSource AS eventsource,
      r.eventName AS eventname, r.awsRegion AS awsregion, r.sourceIPAddress AS sourceipaddress, r.userAgent AS useragent,
      r.errorCode AS errorcode, r.errorMessage AS errormessage,
      CAST(r.requestParameters AS VARCHAR) AS requestparameters, CAST(r.responseElements AS VARCHAR) AS responseelements,
      CAST(r.additionalEventData AS VARCHAR) AS additionaleventdata, r.requestID AS requestid, r.eventID AS eventid,
      r.readOnly AS readonly, r.resources AS resources, r.eventType AS eventtype, r.apiVersion AS apiversion,
      r.recipientAccountId AS recipientaccountid, CAST(r.serviceEventDetails AS VARCHAR) AS serviceeventdetails,
      r.sharedEventID AS sharedeventid, r.vpcEndpointId AS vpcendpointid, r.eventCategory AS eventcategory,
      p AS "$path",
      regexp_extract(p, '/AWSLogs/(?:o-[a-z0-9]+/)?([0-9]{12})/CloudTrail/', 1) AS account,
      regexp_extract(p, '/CloudTrail/([a-z0-9-]+)/', 1) AS region,
      regexp_extract(p, '/CloudTrail/[a-z0-9-]+/([0-9]{4}/[0-9]{2}/[0-9]{2})/', 1) AS delivery_date
    FROM f`);
  // GetQueryResults gives every value as text (VarCharValue), NULL as no value.
  const text = (v: unknown): string | null => (v === null ? null : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const query = async (sql: string) => {
    const reader = await db.runAndReadAll(sql);
    return reader.getRowObjectsJson().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, text(v)])));
  };
  const sqlTexts: string[] = [];
  let n = 0;
  const runner: WindowQueryRunner = {
    async run(sql, opts) {
      sqlTexts.push(sql);
      const ledger: QueryRecord = { label: opts.label, sql, executionId: `duck-${++n}`, state: 'SUCCEEDED', bytesScanned: 0, estimatedCostUsd: 0 };
      opts.ledgers?.push(ledger);
      const reader = await db.runAndReadAll(sql);
      const names = reader.columnNames();
      const rows = reader.getRowsJson().map((r) => r.map(text));
      return { ledger, columns: names.map((Name) => ({ Name })), async *pages() { for (let i = 0; i < rows.length || i === 0; i += 1000) yield rows.slice(i, i + 1000); } };
    },
  };
  return {
    query,
    runner,
    sqlTexts,
    close() {
      db.closeSync();
      instance.closeSync?.();
    },
  };
}
