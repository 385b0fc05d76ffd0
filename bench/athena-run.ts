import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { folderObjectStore, startAthenaEmulator } from '../src/emulators/athena/index.js';
import { createHttpClient } from '../src/http/client.js';
import { emptyStats } from '../src/model/coverage.js';
import { parsePeriod } from '../src/period/parse-period.js';
import { planWindows } from '../src/period/plan-windows.js';
import { runPipeline } from '../src/pipeline/run-pipeline.js';
import { createRuleEngine } from '../src/rules/engine.js';
import { createSampler } from '../src/rules/sampling.js';
import { createSecretResolver } from '../src/config/secrets.js';
import { createApiRetry, DEFAULT_API_RETRY } from '../src/sources/cloudtrail-athena/api-retry.js';
import { createAthenaClient } from '../src/sources/cloudtrail-athena/athena-client.js';
import { cloudtrailAthenaConfigSchema } from '../src/sources/cloudtrail-athena/config.js';
import { createTable } from '../src/sources/cloudtrail-athena/create-table.js';
import { estimatedCostUsd } from '../src/sources/cloudtrail-athena/query-cost.js';
import { createQueryRunner, runnerSettings } from '../src/sources/cloudtrail-athena/query-runner.js';
import { createAthenaSource } from '../src/sources/cloudtrail-athena/source.js';
import { parseLogFileName } from '../src/sources/cloudtrail-files/key-layout.js';
import { loadTemplate } from '../src/templates/load-template.js';
import { templatesDir } from '../src/package-info.js';
import { systemClock } from '../src/util/clock.js';
import { silentLogger } from '../src/util/logger.js';
import { createRedactor } from '../src/util/redactor.js';
import { logFiles, plainPass } from './plain-pass.js';

const MB = 1024 * 1024;
const BUCKET = 'bench-trail';
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIABENCHATHENA00001', AWS_SECRET_ACCESS_KEY: 'bench-secret-not-real' };

/**
 * `npm run bench -- athena`: the synthetic trail of the cloudtrail-files bench (1,000,000 events in
 * 300 files, October 2026) through cloudtrail-athena and the Athena emulator (DuckDB) with the
 * soc2-monthly rules and samples: the wall time of pull + aggregate against a plain pass over the
 * same files (the baseline, measured in the same run), and the bytes a real Athena would scan and
 * bill for the period (every query's compressed bytes read, as the emulator counts them) against
 * the trail's compressed size for the period.
 */
async function benchAthena(events: number, nFiles: number) {
  const dir = mkdtempSync(join(tmpdir(), 'ap-bench-athena-'));
  const trail = join(dir, 'trail');
  execFileSync(process.execPath, [join(import.meta.dirname, 'write-cloudtrail-folder.js'), trail, String(events), String(nFiles)], { stdio: 'inherit' });
  const files = logFiles(trail);
  const plain = await plainPass(files);
  const period = parsePeriod({ from: '2026-10-01', to: '2026-10-31', timeZone: 'UTC', now: Date.parse('2026-12-01T00:00:00Z') });
  const lateMs = 60 * 60_000;
  const trailBytes = files.reduce((n, f) => {
    const at = parseLogFileName(f.slice(trail.length + 1))?.deliveredAt ?? -1;
    return at >= period.start && at < period.end + lateMs ? n + statSync(f).size : n;
  }, 0);

  const emulator = await startAthenaEmulator({ store: folderObjectStore({ [BUCKET]: trail }), pacing: { queuedPolls: 0, runningPolls: 0 } });
  const redactor = createRedactor();
  const config = cloudtrailAthenaConfigSchema.parse({
    type: 'cloudtrail-athena', name: 'cloudtrail', region: 'us-east-1', database: 'bench', table: 'cloudtrail_logs', outputLocation: 's3://bench-results/',
    trailLocation: `s3://${BUCKET}`, accounts: ['123456789012'], regions: ['us-east-1'], lateDeliveryMinutes: 60, verifyDigests: false,
    endpoint: emulator.url, projectionStart: '2026/01/01', pollIntervalMs: 10, maxPollIntervalMs: 50,
  });
  const deps = {
    secrets: createSecretResolver(CREDENTIALS, redactor), redactor, log: silentLogger, clock: systemClock, configDir: dir, env: CREDENTIALS,
    createHttpClient: (o: Parameters<typeof createHttpClient>[0]) => createHttpClient(o, { clock: systemClock, log: silentLogger }),
  };
  const client = createAthenaClient(config, deps);
  const runner = createQueryRunner(runnerSettings(config), { client, clock: systemClock, retry: createApiRetry(DEFAULT_API_RETRY, { clock: systemClock, endpoint: emulator.url }) });
  await createTable(config, { runner, signal: new AbortController().signal, rec: emptyStats(), idempotencyKey: 'bench' }, { replace: false });
  const source = createAthenaSource(config, deps, { runner });
  const template = await loadTemplate('soc2-monthly', templatesDir());
  const t0 = performance.now();
  const result = await runPipeline({
    sources: [source], period, plans: new Map([[source.name, planWindows(period, source.policy)]]), packDir: join(dir, 'pack'), stateDir: join(dir, 'state'),
    httpFor: () => createHttpClient({}, { clock: systemClock, log: silentLogger }),
    directory: null, rules: createRuleEngine(template.rules, { timeZone: 'UTC', directory: null, businessHours: null }),
    sampler: (members) => createSampler(template.samples, { seed: 'bench', seedSource: 'given', method: 'v2' }, members),
    pushdown: { timeZone: 'UTC', rules: template.rules, directoryIds: null, businessHours: null, samples: template.samples },
    log: silentLogger, clock: systemClock, signal: new AbortController().signal, progress: { windowStarted() {}, windowDone() {}, update() {} },
  });
  const seconds = (performance.now() - t0) / 1000;
  client.destroy();
  await emulator.close();
  const dml = emulator.executions().filter((e) => e.statementType === 'DML' && e.outcome?.state === 'SUCCEEDED');
  const scanned = dml.map((e) => (e.outcome?.state === 'SUCCEEDED' ? e.outcome.output.bytesScanned : 0));
  const bytesScanned = scanned.reduce((a, b) => a + b, 0);
  const cost = scanned.reduce((a, b) => a + estimatedCostUsd(b, { state: 'SUCCEEDED' }), 0);
  const queries = dml.length;
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  return {
    events: result.aggregate.totals.events, complete: result.coverage.complete, windows: result.coverage.windows.length, queries, files: files.length,
    plainSeconds: plain.seconds, seconds, trailBytes, bytesScanned, cost, candidates: result.samples.map((s) => s.populationSize),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

const r = await benchAthena(Number(process.env.BENCH_EVENTS ?? 1_000_000), Number(process.env.BENCH_FILES ?? 300));
console.log(
  `athena: ${r.events.toLocaleString('en-US')} events in ${r.files} files, ${r.windows} daily windows, ${r.queries} queries on the emulator (DuckDB), ${r.complete ? 'COMPLETE' : 'INCOMPLETE'}; ` +
    `pull+aggregate ${r.seconds.toFixed(1)} s = ${(r.seconds / r.plainSeconds).toFixed(1)}× a plain pass (${r.plainSeconds.toFixed(2)} s); ` +
    `a real Athena would scan ${(r.bytesScanned / MB).toFixed(1)} MiB for the period = ${(r.bytesScanned / r.trailBytes).toFixed(2)}× the trail's ${(r.trailBytes / MB).toFixed(1)} MiB delivered in it ` +
    `(est. $${r.cost.toFixed(4)} at $5/TB, 10 MB minimum a query); sample populations ${r.candidates.map((n) => n.toLocaleString('en-US')).join(' / ')}; peak RSS ${Math.round(r.peakRssMb)} MiB`,
);
