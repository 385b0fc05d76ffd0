import { readdirSync } from 'node:fs';
import { AthenaClient } from '@aws-sdk/client-athena';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderObjectStore, startAthenaEmulator, type AthenaEmulator } from '../../src/emulators/athena/index.js';
import { cloudtrailTableDdl } from '../../src/sources/cloudtrail-athena/table-ddl.js';
import { REAL_2_DIR, real2Files } from '../sources/cloudtrail-files/real-records.js';
import { allRows, ATHENA_CREDENTIALS, runToEnd } from './harness.js';
import { checkAthenaSql } from './sql-grammar.js';

const BUCKET = 'real-trail';

/** What the Hive JSON SerDe puts in a STRING column: a string as is, anything else as its JSON. */
const asString = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));

describe.skipIf(!REAL_2_DIR)('Athena emulator over the real CloudTrail files (shared fixtures, read in place)', () => {
  let athena: AthenaEmulator;
  let client: AthenaClient;

  beforeAll(async () => {
    const root = REAL_2_DIR as string;
    const accounts = readdirSync(`${root}/AWSLogs`).sort();
    const regions = [...new Set(accounts.flatMap((a) => readdirSync(`${root}/AWSLogs/${a}/CloudTrail`)))].sort();
    athena = await startAthenaEmulator({ store: folderObjectStore({ [BUCKET]: root }), checkSql: checkAthenaSql, pacing: { queuedPolls: 0, runningPolls: 0 } });
    client = new AthenaClient({ region: 'us-east-1', endpoint: athena.url, credentials: ATHENA_CREDENTIALS, maxAttempts: 1 });
    const ddl = cloudtrailTableDdl({ database: 'default', table: 'cloudtrail_logs', trailLocation: `s3://${BUCKET}`, accounts, regions, accountProjection: 'enum', projectionStart: '2015/01/01' });
    expect((await runToEnd(client, ddl)).Status?.State).toBe('SUCCEEDED');
  });
  afterAll(async () => {
    client?.destroy();
    await athena?.close();
  });

  it('reads every record with the SerDe semantics: nested keys of any case, JSON objects in STRING columns, "$path"', async () => {
    const q = await runToEnd(
      client,
      `SELECT "$path", eventid, eventname, useridentity.type, useridentity.arn, useridentity.sessioncontext.sessionissuer.arn, errorcode,
         requestparameters, readonly, recipientaccountid, transform(resources, x -> x.arn) AS resource_arns
       FROM cloudtrail_logs`,
    );
    expect(q.Status?.StateChangeReason).toBeUndefined();
    const { rows } = await allRows(client, q.QueryExecutionId as string);
    const got = rows.slice(1).map((r) => [...r.slice(0, 7), r[7] === null ? null : (JSON.parse(r[7]) as unknown), ...r.slice(8)]);
    const want = real2Files().flatMap((f) =>
      f.records.map((rec) => {
        const id = rec.userIdentity as { type?: string; arn?: string; sessionContext?: { sessionIssuer?: { arn?: string } } } | undefined;
        const params = asString(rec.requestParameters);
        const resources = rec.resources as { ARN?: string }[] | undefined;
        return [
          `s3://${BUCKET}/${f.key}`,
          asString(rec.eventID),
          asString(rec.eventName),
          asString(id?.type),
          asString(id?.arn),
          asString(id?.sessionContext?.sessionIssuer?.arn),
          asString(rec.errorCode),
          params === null ? null : (JSON.parse(typeof rec.requestParameters === 'string' ? JSON.stringify(params) : params) as unknown),
          asString(rec.readOnly),
          asString(rec.recipientAccountId),
          resources ? `[${resources.map((r) => r.ARN ?? 'null').join(', ')}]` : null,
        ];
      }),
    );
    expect(got).toHaveLength(3220);
    const key = (r: unknown[]) => JSON.stringify(r);
    expect(got.map(key).sort()).toEqual(want.map(key).sort());
  });
});
