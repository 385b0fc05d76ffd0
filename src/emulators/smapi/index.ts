export {
  startSmapiEmulator,
  SMAPI_DEFAULT_PERIOD,
  SMAPI_DEFAULT_VENDOR_ID,
  SMAPI_FORBIDDEN_VENDOR_ID,
  SMAPI_DEMO_LWA,
  SMAPI_QUERY_PATH,
  LWA_TOKEN_PATH,
  type SmapiEmulator,
  type SmapiEmulatorOptions,
  type SmapiEmulatorStats,
  type SmapiVariants,
  type TokenEndpointFault,
} from './emulator.js';
export { demoSmapiSetup, SMAPI_DEMO_ENV } from './demo.js';
export { smapiDemoDirectory, SMAPI_REQUESTERS, SMAPI_CLIENTS } from './identities.js';
export { SMAPI_OPERATIONS, OPERATION_VARIANTS } from './operations.js';
export type { SmapiAuditLog } from './dataset.js';
export type { SmapiTruth, TruthCount, TruthQuery } from './truth.js';
export type { SmapiRequestFilters } from './query.js';
