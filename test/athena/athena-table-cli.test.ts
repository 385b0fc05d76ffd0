import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../e2e/harness.js';
import { ATHENA_CREDENTIALS, allRows, BUCKET, PREFIX, runToEnd, startAthenaStack, type AthenaStack } from './harness.js';
import { checkAthenaSql } from './sql-grammar.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 5, 10, 22);
const ORG = 'o-a1b2c3d4e5';
const ACCOUNTS = ['111122223333', '444455556666'];

describe('auditpack athena-table (compiled CLI; organization trail, injected accounts)', () => {
  let stack: AthenaStack;
  let configFile: string;
  const env = { AWS_ACCESS_KEY_ID: ATHENA_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: ATHENA_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' };

  beforeAll(async () => {
    stack = await startAthenaStack({ accounts: ACCOUNTS, regions: ['us-east-1', 'eu-west-1'], organizationId: ORG, period: { start: START, end: START + 4 * HOUR }, seed: 'org', eventsPerFile: 2, fileEveryMinutes: 60 });
    configFile = join(stack.folder, 'auditpack.json');
    const { type: _t, ...source } = stack.config({ database: 'audit', table: 'org_trail', accountProjection: 'injected', pollIntervalMs: 20, maxPollIntervalMs: 50 });
    writeFileSync(configFile, JSON.stringify({ organization: 'Acme', sources: [{ type: 'cloudtrail-athena', ...source }] }, null, 2));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('prints the statements: Hive DDL with the organization level, injected accounts and projected regions and delivery dates', async () => {
    const r = await cli(['athena-table', '-c', configFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const statements = r.stdout.split(/;\n/).map((s) => s.trim()).filter(Boolean);
    expect(statements[0]).toBe('CREATE DATABASE IF NOT EXISTS `audit`');
    const ddl = statements[1];
    for (const s of statements) expect(checkAthenaSql(s, 'DDL')).toBeNull();
    expect(ddl).toMatch(/^CREATE EXTERNAL TABLE `audit`\.`org_trail` \(/);
    expect(ddl).toContain("ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'");
    expect(ddl).toContain("STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'");
    expect(ddl).toContain(`LOCATION 's3://${BUCKET}/${PREFIX}/AWSLogs/${ORG}/'`);
    expect(ddl).toContain("'projection.account.type'='injected'");
    expect(ddl).toContain("'projection.region.values'='us-east-1,eu-west-1'");
    expect(ddl).toContain("'projection.delivery_date.range'='2020/01/01,NOW'");
    expect(ddl).toContain(`'storage.location.template'='s3://${BUCKET}/${PREFIX}/AWSLogs/${ORG}/\${account}/CloudTrail/\${region}/\${delivery_date}/'`);
  });

  it('--create runs them; the table reads the organization trail (with the accounts named); again needs --replace', async () => {
    const created = await cli(['athena-table', '-c', configFile, '--create'], { env });
    expect(created.stderr).toMatch(/table audit\.org_trail created in workgroup primary/);
    expect(created.code).toBe(0);
    expect(stack.athena.catalog.get('audit', 'org_trail')?.properties['projection.account.type']).toBe('injected');

    const client = stack.client();
    const count = await runToEnd(client, `SELECT count(*) AS n FROM org_trail WHERE account IN ('${ACCOUNTS.join("', '")}')`, 'audit');
    expect((await allRows(client, count.QueryExecutionId as string)).rows).toEqual([['n'], [String(stack.truth.events.length)]]);
    // Injected: without an equality on account Athena refuses the query.
    const unconstrained = await runToEnd(client, 'SELECT count(*) FROM org_trail', 'audit');
    expect(unconstrained.Status?.StateChangeReason).toMatch(/CONSTRAINT_VIOLATION/);

    const again = await cli(['athena-table', '-c', configFile, '--create'], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/auditpack: table audit\.org_trail already exists — add --replace/);
    const replaced = await cli(['athena-table', '-c', configFile, '--replace'], { env });
    expect(replaced.code).toBe(0);
    expect(replaced.stderr).toMatch(/SUCCEEDED: DROP TABLE IF EXISTS `audit`\.`org_trail`/);
  });

  it('a config without a cloudtrail-athena source is refused in one line', async () => {
    const other = join(stack.folder, 'other.json');
    writeFileSync(other, JSON.stringify({ sources: [{ type: 'cloudtrail-files', location: '.' }] }));
    const r = await cli(['athena-table', '-c', other]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no cloudtrail-athena source/);
  });
});
