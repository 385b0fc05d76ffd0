import { randomUUID } from 'node:crypto';
import { emptyStats } from '../model/coverage.js';
import { folderObjectStore, startAthenaEmulator, type AthenaEmulator } from '../emulators/athena/index.js';
import type { CloudtrailFilesConfigInput } from '../sources/cloudtrail-files/config.js';
import { createApiRetry, DEFAULT_API_RETRY } from '../sources/cloudtrail-athena/api-retry.js';
import { createAthenaClient } from '../sources/cloudtrail-athena/athena-client.js';
import { cloudtrailAthenaConfigSchema, type CloudtrailAthenaConfigInput } from '../sources/cloudtrail-athena/config.js';
import { createTable } from '../sources/cloudtrail-athena/create-table.js';
import { createQueryRunner, runnerSettings } from '../sources/cloudtrail-athena/query-runner.js';
import { systemClock } from '../util/clock.js';
import { createRedactor } from '../util/redactor.js';

const BUCKET = 'auditpack-demo-trail';

/**
 * `auditpack demo --engine athena`: the demo's CloudTrail log folder served to the Athena emulator
 * as a bucket, the table created as `auditpack athena-table --create` would, and a
 * cloudtrail-athena source in place of the cloudtrail-files one, over the same files.
 *
 * The emulator also serves the bucket read-only over the S3 API (src/emulators/athena/s3-read.ts):
 * the source reads and validates the trail's signed digests there (verifyDigests on), checks each
 * listed log file's SHA-256 (hashLogFiles on) and proves Athena read every log file they list, as
 * it does against a real bucket.
 */
export async function demoAthenaSetup(
  files: { sourceConfig: CloudtrailFilesConfigInput },
  env: Record<string, string>,
  port = 0,
): Promise<{ emulator: AthenaEmulator; sourceConfig: CloudtrailAthenaConfigInput }> {
  const folders = { [BUCKET]: files.sourceConfig.location };
  const emulator = await startAthenaEmulator({ store: folderObjectStore(folders), serveS3: folders, port, pacing: { queuedPolls: 0, runningPolls: 1 } });
  try {
    const sourceConfig: CloudtrailAthenaConfigInput = {
      type: 'cloudtrail-athena',
      name: 'cloudtrail-athena',
      region: 'us-east-1',
      database: 'auditpack_demo',
      table: 'cloudtrail_logs',
      outputLocation: 's3://auditpack-demo-athena-results/',
      trailLocation: `s3://${BUCKET}`,
      accounts: files.sourceConfig.accounts ?? [],
      regions: files.sourceConfig.regions ?? [],
      lateDeliveryMinutes: files.sourceConfig.lateDeliveryMinutes,
      verifyDigests: true,
      // The demo's files are small: hash them too, so a file changed in place is caught as cloudtrail-files catches it.
      hashLogFiles: true,
      ...(files.sourceConfig.publicKeysFile ? { publicKeysFile: files.sourceConfig.publicKeysFile } : {}),
      s3Endpoint: emulator.url,
      forcePathStyle: true,
      endpoint: emulator.url,
      projectionStart: '2020/01/01',
      pollIntervalMs: 20,
      maxPollIntervalMs: 200,
    };
    const config = cloudtrailAthenaConfigSchema.parse(sourceConfig);
    const client = createAthenaClient(config, { env, redactor: createRedactor() });
    try {
      const runner = createQueryRunner(runnerSettings(config), { client, clock: systemClock, retry: createApiRetry(DEFAULT_API_RETRY, { clock: systemClock, endpoint: emulator.url }) });
      await createTable(config, { runner, signal: new AbortController().signal, rec: emptyStats(), idempotencyKey: randomUUID() }, { replace: false });
    } finally {
      client.destroy();
    }
    return { emulator, sourceConfig };
  } catch (e) {
    await emulator.close();
    throw e;
  }
}
