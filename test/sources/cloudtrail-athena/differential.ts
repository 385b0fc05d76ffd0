import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequesterDirectory } from '../../../src/config/requester-directory.js';
import { createSecretResolver } from '../../../src/config/secrets.js';
import { createHttpClient } from '../../../src/http/client.js';
import type { HttpClient } from '../../../src/http/types.js';
import type { PeriodInfo } from '../../../src/model/report-model.js';
import { planWindows } from '../../../src/period/plan-windows.js';
import { runPipeline, type PipelineResult } from '../../../src/pipeline/run-pipeline.js';
import type { BusinessHours } from '../../../src/rules/business-hours.js';
import { createRuleEngine } from '../../../src/rules/engine.js';
import type { RuleSpec } from '../../../src/rules/rule-spec.js';
import { cloudtrailAthenaConfigSchema, type CloudtrailAthenaConfigInput } from '../../../src/sources/cloudtrail-athena/config.js';
import { createAthenaSource } from '../../../src/sources/cloudtrail-athena/source.js';
import { createLocalStore } from '../../../src/sources/cloudtrail-files/local-store.js';
import { createPublicKeyProvider } from '../../../src/sources/cloudtrail-files/public-keys.js';
import type { AnySource } from '../../../src/sources/source.js';
import { systemClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { createRedactor } from '../../../src/util/redactor.js';
import { makeFilesSource } from '../cloudtrail-files/harness.js';
import { openTrinoOnDuck, type TrinoOnDuck } from './duckdb-trino.js';

export interface TrailUnderTest {
  /** The folder holding AWSLogs/. */
  folder: string;
  accounts: string[];
  regions: string[];
  lateDeliveryMinutes: number;
  /** Digest checks: the key file that verifies the folder's digests. */
  publicKeysFile?: string;
}

export interface RulesUnderTest {
  rules: RuleSpec[];
  directory: RequesterDirectory | null;
  businessHours: BusinessHours | null;
}

async function runWith(source: AnySource, period: PeriodInfo, r: RulesUnderTest): Promise<PipelineResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ap-athena-diff-'));
  const engine = createRuleEngine(r.rules, { timeZone: period.timeZone, directory: r.directory, businessHours: r.businessHours });
  try {
    return await runPipeline({
      sources: [source], period, plans: new Map([[source.name, planWindows(period, source.policy)]]), packDir: dir, stateDir: join(dir, '.state'),
      httpFor: () => createHttpClient({ concurrency: 4 }, { clock: systemClock, log: silentLogger }) as HttpClient,
      directory: r.directory, rules: engine, sampler: null,
      pushdown: { timeZone: period.timeZone, rules: r.rules, directoryIds: r.directory?.ids() ?? null, businessHours: r.businessHours },
      log: silentLogger, clock: systemClock, signal: new AbortController().signal, progress: { windowStarted() {}, windowDone() {}, update() {} },
    });
  } finally {
    await source.close?.();
  }
}

export async function openDuck(trail: TrailUnderTest): Promise<TrinoOnDuck> {
  return openTrinoOnDuck(trail.folder, { bucketUrl: 's3://trail-bucket', database: 'auditpack', table: 'cloudtrail_logs' });
}

export function athenaSource(trail: TrailUnderTest, duck: TrinoOnDuck, extra: Partial<CloudtrailAthenaConfigInput> = {}) {
  const config = cloudtrailAthenaConfigSchema.parse({
    type: 'cloudtrail-athena', name: 'cloudtrail', region: 'us-east-1', database: 'auditpack', table: 'cloudtrail_logs',
    trailLocation: 's3://trail-bucket', accounts: trail.accounts, regions: trail.regions, lateDeliveryMinutes: trail.lateDeliveryMinutes,
    verifyDigests: trail.publicKeysFile !== undefined, ...extra,
  } satisfies CloudtrailAthenaConfigInput);
  const redactor = createRedactor();
  return createAthenaSource(config, {
    secrets: createSecretResolver({}, redactor), redactor, log: silentLogger, clock: systemClock,
    createHttpClient: (o) => createHttpClient(o, { clock: systemClock, log: silentLogger }), configDir: process.cwd(), env: {},
  }, {
    runner: duck.runner,
    digestStore: createLocalStore(trail.folder),
    ...(trail.publicKeysFile ? { publicKeys: createPublicKeyProvider({ file: trail.publicKeysFile, api: {} }) } : {}),
  });
}

export function filesSource(trail: TrailUnderTest) {
  return makeFilesSource({
    type: 'cloudtrail-files', name: 'cloudtrail', location: trail.folder, accounts: trail.accounts, regions: trail.regions,
    lateDeliveryMinutes: trail.lateDeliveryMinutes, verifyDigests: trail.publicKeysFile !== undefined,
    ...(trail.publicKeysFile ? { publicKeysFile: trail.publicKeysFile } : {}),
  });
}

/** What summary.json holds of a pipeline result, with the source type (the one intended difference) left out. */
export async function comparable(r: PipelineResult) {
  const exceptions = [];
  for await (const row of r.exceptions.open()) exceptions.push(row);
  const { bySource, ...aggregate } = r.aggregate;
  return {
    aggregate,
    bySource: bySource.map(({ sourceType: _t, ...rest }) => rest),
    exceptionCounts: r.exceptionCounts,
    exceptionSubjects: r.exceptionSubjects,
    exceptions,
    samples: r.samples,
  };
}

/** The Athena path alone; `before` may change the table first (a partition it does not project). */
export async function runAthena(trail: TrailUnderTest, period: PeriodInfo, r: RulesUnderTest, before?: (duck: TrinoOnDuck) => Promise<void>) {
  const duck = await openDuck(trail);
  try {
    await before?.(duck);
    return await runWith(athenaSource(trail, duck), period, r);
  } finally {
    duck.close();
  }
}

/** Runs the same files through cloudtrail-files and through the SQL on DuckDB. */
export async function runBoth(trail: TrailUnderTest, period: PeriodInfo, r: RulesUnderTest) {
  const duck = await openDuck(trail);
  try {
    const local = await runWith(filesSource(trail), period, r);
    const athena = await runWith(athenaSource(trail, duck), period, r);
    return { local, athena, sqlTexts: duck.sqlTexts };
  } finally {
    duck.close();
  }
}

