import type { AnySourceDefinition, SourceRegistry } from '../config/load-config.js';

/**
 * Every source type a config may name, each with the loader of its module: a run loads only the
 * types its config names (an SMAPI run never loads the AWS SDK). Adding a source is one folder and
 * one line here.
 */
export const sourceRegistry: SourceRegistry = {
  smapi: async () => (await import('./smapi/index.js')).smapiSource as unknown as AnySourceDefinition,
  cloudtrail: async () => (await import('./cloudtrail/index.js')).cloudtrailSource as unknown as AnySourceDefinition,
  'cloudtrail-files': async () => (await import('./cloudtrail-files/index.js')).cloudtrailFilesSource as unknown as AnySourceDefinition,
  'cloudtrail-athena': async () => (await import('./cloudtrail-athena/index.js')).cloudtrailAthenaSource as unknown as AnySourceDefinition,
  'trail-logs': async () => (await import('./trail-logs/index.js')).trailLogsSource as unknown as AnySourceDefinition,
  amplitude: async () => (await import('./amplitude/index.js')).amplitudeSource as unknown as AnySourceDefinition,
};
