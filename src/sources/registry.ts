import type { SourceRegistry } from '../config/load-config.js';
import type { AggregatingSource, SourceDefinition } from './source.js';
import { amplitudeSource } from './amplitude/index.js';
import { cloudtrailAthenaSource } from './cloudtrail-athena/index.js';
import { cloudtrailFilesSource } from './cloudtrail-files/index.js';
import { cloudtrailSource } from './cloudtrail/index.js';
import { smapiSource } from './smapi/index.js';
import { trailLogsSource } from './trail-logs/index.js';

/** Every source type a config may name. Adding a source is one folder and one line here. */
export const sourceRegistry: SourceRegistry = {
  smapi: smapiSource as unknown as SourceDefinition,
  cloudtrail: cloudtrailSource as unknown as SourceDefinition,
  'cloudtrail-files': cloudtrailFilesSource as unknown as SourceDefinition,
  'cloudtrail-athena': cloudtrailAthenaSource as unknown as SourceDefinition<{ type: string; name?: string }, AggregatingSource>,
  'trail-logs': trailLogsSource as unknown as SourceDefinition,
  amplitude: amplitudeSource as unknown as SourceDefinition,
};
