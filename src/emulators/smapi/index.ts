export { startSmapiEmulator, SMAPI_FORBIDDEN_VENDOR_ID, type SmapiEmulator, type SmapiEmulatorOptions, type SmapiVariants } from './emulator.js';
export { demoSmapiSetup } from './demo.js';
export { smapiDemoDirectory, SMAPI_REQUESTERS } from './identities.js';
export { OPERATION_VARIANTS } from './operations.js';
export type { SmapiAuditLog } from './dataset.js';
