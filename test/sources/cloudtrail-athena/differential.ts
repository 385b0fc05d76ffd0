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
import type { RuleSpec, SampleSpec } from '../../../src/rules/rule-spec.js';
import { createSampler } from '../../../src/rules/sampling.js';
import { cloudtrailAthenaConfigSchema, type CloudtrailAthenaConfig, type CloudtrailAthenaConfigInput } from '../../../src/sources/cloudtrail-athena/config.js';
import { createAthenaSource } from '../../../src/sources/cloudtrail-athena/source.js';
import { createApiRetry, DEFAULT_API_RETRY } from '../../../src/sources/cloudtrail-athena/api-retry.js';
import { createAthenaClient } from '../../../src/sources/cloudtrail-athena/athena-client.js';
import { createTable } from '../../../src/sources/cloudtrail-athena/create-table.js';
import { createQueryRunner, runnerSettings } from '../../../src/sources/cloudtrail-athena/query-runner.js';
import { folderObjectStore, startAthenaEmulator, type AthenaEmulator } from '../../../src/emulators/athena/index.js';
import { emptyStats } from '../../../src/model/coverage.js';
import { createLocalStore } from '../../../src/sources/cloudtrail-files/local-store.js';
import { createPublicKeyProvider } from '../../../src/sources/cloudtrail-files/public-keys.js';
import type { AggregatingSource, AnySource } from '../../../src/sources/source.js';
import { systemClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { createRedactor } from '../../../src/util/redactor.js';
import { makeFilesSource } from '../cloudtrail-files/harness.js';
import { checkAthenaSql } from '../../athena/sql-grammar.js';

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
  /** Sample populations drawn (method v2, a fixed seed): none when absent. */
  samples?: SampleSpec[];
}

async function runWith(source: AnySource, period: PeriodInfo, r: RulesUnderTest): Promise<PipelineResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ap-athena-diff-'));
  const engine = createRuleEngine(r.rules, { timeZone: period.timeZone, directory: r.directory, businessHours: r.businessHours });
  try {
    return await runPipeline({
      sources: [source], period, plans: new Map([[source.name, planWindows(period, source.policy)]]), packDir: dir, stateDir: join(dir, '.state'),
      httpFor: () => createHttpClient({ concurrency: 4 }, { clock: systemClock, log: silentLogger }) as HttpClient,
      directory: r.directory, rules: engine,
      sampler: r.samples?.length ? (members) => createSampler(r.samples!, { seed: 'differential-seed', seedSource: 'given', method: 'v2' }, members) : null,
      pushdown: { timeZone: period.timeZone, rules: r.rules, directoryIds: r.directory?.ids() ?? null, businessHours: r.businessHours, samples: r.samples ?? [] },
      log: silentLogger, clock: systemClock, signal: new AbortController().signal, progress: { windowStarted() {}, windowDone() {}, update() {} },
    });
  } finally {
    await source.close?.();
  }
}

const BUCKET = 'trail-bucket';
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIAATHENAEMULATOR01', AWS_SECRET_ACCESS_KEY: 'athena-emulator-secret-not-real' };

/** The Athena emulator over the trail folder (standing in for the bucket), every SQL text checked under the Trino grammar. */
export interface AthenaUnderTest {
  emulator: AthenaEmulator;
  /** Every SQL text the source sent. */
  sqlTexts: string[];
  source(extra?: Partial<CloudtrailAthenaConfigInput>): AggregatingSource;
  close(): Promise<void>;
}

function athenaConfig(trail: TrailUnderTest, endpoint: string, extra: Partial<CloudtrailAthenaConfigInput>) {
  return cloudtrailAthenaConfigSchema.parse({
    type: 'cloudtrail-athena', name: 'cloudtrail', region: 'us-east-1', database: 'auditpack', table: 'cloudtrail_logs',
    outputLocation: 's3://athena-results/auditpack/', trailLocation: `s3://${BUCKET}`, accounts: trail.accounts, regions: trail.regions,
    lateDeliveryMinutes: trail.lateDeliveryMinutes, verifyDigests: trail.publicKeysFile !== undefined, endpoint, projectionStart: '2020/01/01',
    pollIntervalMs: 10, maxPollIntervalMs: 20, ...extra,
  } satisfies CloudtrailAthenaConfigInput);
}

function sourceDeps() {
  const redactor = createRedactor();
  return {
    secrets: createSecretResolver(CREDENTIALS, redactor), redactor, log: silentLogger, clock: systemClock,
    createHttpClient: (o: Parameters<typeof createHttpClient>[0]) => createHttpClient(o, { clock: systemClock, log: silentLogger }), configDir: process.cwd(), env: CREDENTIALS,
  };
}

/**
 * Starts the emulator and creates the table with `auditpack athena-table`'s statements; `table`
 * changes what the table projects (a later projectionStart: partitions it does not project).
 */
export async function startAthena(trail: TrailUnderTest, table: Partial<CloudtrailAthenaConfigInput> = {}): Promise<AthenaUnderTest> {
  const sqlTexts: string[] = [];
  const emulator = await startAthenaEmulator({
    store: folderObjectStore({ [BUCKET]: trail.folder }),
    checkSql: (sql, kind) => {
      if (kind === 'DML') sqlTexts.push(sql);
      return checkAthenaSql(sql, kind);
    },
    pacing: { queuedPolls: 0, runningPolls: 1 },
  });
  const deps = sourceDeps();
  const runnerFor = (config: CloudtrailAthenaConfig) => {
    const client = createAthenaClient(config, deps);
    const runner = createQueryRunner(runnerSettings(config), { client, clock: systemClock, retry: createApiRetry(DEFAULT_API_RETRY, { clock: systemClock, endpoint: emulator.url }) });
    return { client, runner };
  };
  const setup = runnerFor(athenaConfig(trail, emulator.url, table));
  await createTable(athenaConfig(trail, emulator.url, table), { runner: setup.runner, signal: new AbortController().signal, rec: emptyStats(), idempotencyKey: 'differential-setup' }, { replace: false });
  setup.client.destroy();
  sqlTexts.length = 0;
  return {
    emulator,
    sqlTexts,
    source(extra = {}) {
      const config = athenaConfig(trail, emulator.url, extra);
      const { client, runner } = runnerFor(config);
      return createAthenaSource(config, deps, {
        runner,
        digestStore: createLocalStore(trail.folder),
        ...(trail.publicKeysFile ? { publicKeys: createPublicKeyProvider({ file: trail.publicKeysFile, api: {} }) } : {}),
        async close() {
          client.destroy();
        },
      });
    },
    close: () => emulator.close(),
  };
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
    // Sample rows are full events. Intended differences: the source type, and the fields the
    // AWS-documented Athena table does not declare (managementEvent), which no Athena row carries.
    samples: r.samples.map((s) => ({
      ...s,
      rows: s.rows.map(({ sourceType: _t, attributes, ...e }) => {
        const { managementEvent: _m, ...rest } = attributes ?? {};
        return { ...e, attributes: rest };
      }),
    })),
    idCollisions: r.coverage.idCollisions,
    ledger: ledgerTotals(r),
  };
}

/** The ledger's counts over every window: each record is counted once, by one window, on both paths. */
function ledgerTotals(r: PipelineResult) {
  const t = { recordsReceived: 0, eventsKept: 0, outsidePeriod: 0, duplicates: 0, rereads: 0, refused: 0, idCollisions: 0 };
  for (const w of r.coverage.windows) for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += w[k];
  return t;
}

/** The Athena path alone, over the wire to the emulator. */
export async function runAthena(trail: TrailUnderTest, period: PeriodInfo, r: RulesUnderTest, table: Partial<CloudtrailAthenaConfigInput> = {}, source: Partial<CloudtrailAthenaConfigInput> = {}) {
  const athena = await startAthena(trail, table);
  try {
    return { result: await runWith(athena.source({ ...table, ...source }), period, r), sqlTexts: [...athena.sqlTexts] };
  } finally {
    await athena.close();
  }
}

/** Runs the same files through cloudtrail-files and, over the wire, through the Athena emulator. */
export async function runBoth(trail: TrailUnderTest, period: PeriodInfo, r: RulesUnderTest, athenaSource: Partial<CloudtrailAthenaConfigInput> = {}) {
  const local = await runWith(filesSource(trail), period, r);
  const athena = await runAthena(trail, period, r, athenaSource);
  return { local, athena: athena.result, sqlTexts: athena.sqlTexts };
}
