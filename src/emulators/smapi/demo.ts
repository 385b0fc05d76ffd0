import type { SmapiConfigInput } from '../../sources/smapi/config.js';
import type { SmapiEmulator } from './emulator.js';

/** Environment variables the demo sets; prefixed so they never clash with a user's real LWA_* variables. */
export const SMAPI_DEMO_ENV = {
  refreshToken: 'AUDITPACK_DEMO_LWA_REFRESH_TOKEN',
  clientId: 'AUDITPACK_DEMO_LWA_CLIENT_ID',
  clientSecret: 'AUDITPACK_DEMO_LWA_CLIENT_SECRET',
} as const;

/** One `sources[]` entry pointing at the emulator, and the environment that makes its secrets resolve. */
export function demoSmapiSetup(emulator: SmapiEmulator): { sourceConfig: SmapiConfigInput; env: Record<string, string> } {
  return {
    sourceConfig: {
      type: 'smapi',
      name: 'smapi',
      vendorId: emulator.vendorId,
      endpoint: emulator.url,
      auth: {
        refreshTokenEnv: SMAPI_DEMO_ENV.refreshToken,
        clientIdEnv: SMAPI_DEMO_ENV.clientId,
        clientSecretEnv: SMAPI_DEMO_ENV.clientSecret,
        tokenEndpoint: emulator.tokenUrl,
      },
    },
    env: {
      [SMAPI_DEMO_ENV.refreshToken]: emulator.credentials.refreshToken,
      [SMAPI_DEMO_ENV.clientId]: emulator.credentials.clientId,
      [SMAPI_DEMO_ENV.clientSecret]: emulator.credentials.clientSecret,
    },
  };
}
