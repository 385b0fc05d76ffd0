import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, type QueryExecution, type Row } from '@aws-sdk/client-athena';
import { uploadLogFolder, writeCloudTrailLogFolder, type LogFolderOptions, type LogFolderTruth } from '../../src/emulators/cloudtrail-files/index.js';
import { s3ObjectStore, startAthenaEmulator, type AthenaEmulator, type AthenaEmulatorOptions } from '../../src/emulators/athena/index.js';
import { cloudtrailAthenaConfigSchema, type CloudtrailAthenaConfig, type CloudtrailAthenaConfigInput } from '../../src/sources/cloudtrail-athena/config.js';
import { S3RVER_ENV, startS3rver, type S3Server } from '../sources/cloudtrail-files/s3-server.js';
import { checkAthenaSql } from './sql-grammar.js';

export const BUCKET = 'audit-trail-bucket';
export const PREFIX = 'trails/acme';
export const RESULTS = 's3://athena-results/auditpack/';
/** Any key: the Athena emulator reads the SigV4 scope, not the signature. */
export const ATHENA_CREDENTIALS = { accessKeyId: 'AKIAATHENAEMULATOR01', secretAccessKey: 'athena-emulator-secret-not-real' };

export interface AthenaStack {
  s3: S3Server;
  athena: AthenaEmulator;
  truth: LogFolderTruth;
  /** The trail folder that was uploaded (file sizes are the objects' sizes). */
  folder: string;
  /** A cloudtrail-athena source config pointing at both emulators. */
  config(extra?: Partial<CloudtrailAthenaConfigInput>): CloudtrailAthenaConfig;
  client(): AthenaClient;
  close(): Promise<void>;
}

/**
 * s3rver holding a generated trail (uploaded under `PREFIX`), and the Athena emulator reading it,
 * with every SQL text checked under the Trino (queries) or Hive (DDL) grammar.
 */
export async function startAthenaStack(
  trail: Omit<LogFolderOptions, 'dir' | 'bucket' | 'bucketPrefix'>,
  emulator: Partial<Omit<AthenaEmulatorOptions, 'store'>> = {},
): Promise<AthenaStack> {
  const data = mkdtempSync(join(tmpdir(), 'auditpack-athena-s3-'));
  const folder = mkdtempSync(join(tmpdir(), 'auditpack-athena-trail-'));
  const s3 = await startS3rver(data);
  await s3.createBucket(BUCKET);
  const truth = writeCloudTrailLogFolder({ ...trail, dir: folder, bucket: BUCKET, bucketPrefix: PREFIX });
  await uploadLogFolder(folder, { client: s3.client, bucket: BUCKET, prefix: PREFIX });
  const athena = await startAthenaEmulator({
    store: s3ObjectStore({ endpoint: s3.url, credentials: { accessKeyId: S3RVER_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: S3RVER_ENV.AWS_SECRET_ACCESS_KEY } }),
    checkSql: checkAthenaSql,
    pacing: { queuedPolls: 1, runningPolls: 1 },
    ...emulator,
  });
  const clients: AthenaClient[] = [];
  return {
    s3,
    athena,
    truth,
    folder,
    config: (extra = {}) =>
      cloudtrailAthenaConfigSchema.parse({
        type: 'cloudtrail-athena',
        region: 'us-east-1',
        outputLocation: RESULTS,
        trailLocation: `s3://${BUCKET}/${PREFIX}`,
        accounts: trail.accounts,
        regions: trail.regions,
        ...(trail.organizationId ? { organizationId: trail.organizationId } : {}),
        endpoint: athena.url,
        s3Endpoint: s3.url,
        forcePathStyle: true,
        projectionStart: '2020/01/01',
        ...extra,
      }),
    client: () => {
      const c = new AthenaClient({ region: 'us-east-1', endpoint: athena.url, credentials: ATHENA_CREDENTIALS, maxAttempts: 1 });
      clients.push(c);
      return c;
    },
    close: async () => {
      for (const c of clients) c.destroy();
      await athena.close();
      await s3.close();
      rmSync(data, { recursive: true, force: true });
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Submits and polls to the end with the bare SDK (the query runner has its own tests). */
export async function runToEnd(client: AthenaClient, sql: string, database = 'default'): Promise<QueryExecution> {
  const { QueryExecutionId } = await client.send(
    new StartQueryExecutionCommand({ QueryString: sql, QueryExecutionContext: { Database: database }, ResultConfiguration: { OutputLocation: RESULTS } }),
  );
  for (;;) {
    const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    const state = QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED') return QueryExecution as QueryExecution;
  }
}

/** Every row of a finished query, the header row included, read page by page. */
export async function allRows(client: AthenaClient, id: string, maxResults = 1000): Promise<{ rows: (string | null)[][]; pages: number }> {
  const rows: (string | null)[][] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: maxResults, NextToken: token }));
    pages++;
    rows.push(...(out.ResultSet?.Rows ?? []).map((r: Row) => (r.Data ?? []).map((d) => d.VarCharValue ?? null)));
    token = out.NextToken;
  } while (token);
  return { rows, pages };
}
