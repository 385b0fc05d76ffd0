import type { AggregatingSource, SourceDefinition } from '../source.js';
import { createApiRetry, DEFAULT_API_RETRY } from './api-retry.js';
import { createAthenaClient } from './athena-client.js';
import { cloudtrailAthenaConfigSchema, type CloudtrailAthenaConfig } from './config.js';
import { createQueryRunner, runnerSettings } from './query-runner.js';
import { createAthenaSource } from './source.js';

export type { CloudtrailAthenaConfig, CloudtrailAthenaConfigInput } from './config.js';

/**
 * AWS CloudTrail log files read by Amazon Athena where they lie: counts, exception rows and the
 * files read come back from SQL; the digests prove every delivered file was read.
 */
export const cloudtrailAthenaSource: SourceDefinition<CloudtrailAthenaConfig, AggregatingSource> = {
  type: 'cloudtrail-athena',
  title: 'AWS CloudTrail log files in S3, aggregated by Amazon Athena',
  configSchema: cloudtrailAthenaConfigSchema,
  create(config, deps) {
    const client = createAthenaClient(config, deps);
    const runner = createQueryRunner(runnerSettings(config), {
      client,
      clock: deps.clock,
      retry: createApiRetry(DEFAULT_API_RETRY, { clock: deps.clock, endpoint: config.endpoint ?? `https://athena.${config.region}.amazonaws.com` }),
    });
    return createAthenaSource(config, deps, {
      runner,
      async close() {
        client.destroy();
      },
    });
  },
};
