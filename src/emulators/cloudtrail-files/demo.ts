import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CloudtrailFilesConfigInput } from '../../sources/cloudtrail-files/config.js';
import { writeCloudTrailLogFolder, type LogFolderTruth } from './write-log-folder.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DEMO_ACCOUNT = '123456789012';

/**
 * A local log folder for `auditpack demo`: one account, us-east-1, Alexa for Business and Lex
 * events (with console sign-ins for the failure rules) over the `days` before the current hour,
 * one file every two hours, signed digests and the key file to verify them offline.
 */
export function demoCloudtrailFilesSetup(
  dir: string,
  opts: { now?: number; days?: number; seed?: string } = {},
): { sourceConfig: CloudtrailFilesConfigInput; env: Record<string, string>; truth: LogFolderTruth } {
  const root = resolve(dir);
  const trailDir = join(root, 'trail');
  // A folder left by an earlier demo holds files of another range with other names: read beside
  // the new ones they would be duplicates, and files in no digest.
  rmSync(trailDir, { recursive: true, force: true });
  mkdirSync(trailDir, { recursive: true });
  const end = Math.floor((opts.now ?? Date.now()) / HOUR) * HOUR;
  const start = end - (opts.days ?? 62) * DAY;
  // CloudTrail signs with 2048-bit keys; a demo signs ~24 digests a day and 1024 bits keep that quick.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const truth = writeCloudTrailLogFolder({
    dir: trailDir,
    accounts: [DEMO_ACCOUNT],
    regions: ['us-east-1'],
    period: { start, end },
    seed: opts.seed ?? 'demo-cloudtrail-files',
    eventsPerFile: 2,
    fileEveryMinutes: 120,
    eventSources: ['a4b.amazonaws.com', 'a4b.amazonaws.com', 'lex.amazonaws.com', 'lex.amazonaws.com', 'signin.amazonaws.com'],
    digests: { privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), until: end },
    duplicates: 3,
    lateDeliveryMinutes: 40,
    lateEvery: 25,
  });
  const keysFile = join(root, 'cloudtrail-public-keys.json');
  writeFileSync(keysFile, truth.publicKeysJson ?? '');
  return {
    sourceConfig: {
      type: 'cloudtrail-files',
      name: 'cloudtrail-files',
      location: trailDir,
      accounts: [DEMO_ACCOUNT],
      regions: ['us-east-1'],
      lateDeliveryMinutes: 60,
      verifyDigests: true,
      publicKeysFile: keysFile,
    },
    env: {},
    truth,
  };
}
