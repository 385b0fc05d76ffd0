import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSmapiEmulator, demoSmapiSetup, smapiDemoDirectory, type SmapiEmulator } from '../emulators/smapi/index.js';
import { startCloudTrailEmulator, demoCloudTrailSetup, type CloudTrailEmulator } from '../emulators/cloudtrail/index.js';
import { demoCloudtrailFilesSetup } from '../emulators/cloudtrail-files/demo.js';
import { startTrailLogsEmulator, demoTrailLogsSetup, type TrailLogsEmulator } from '../emulators/trail-logs/index.js';
import { startAmplitudeEmulator, demoAmplitudeSetup, type AmplitudeEmulator } from '../emulators/amplitude/index.js';
import type { FaultController } from '../emulators/kit/faults.js';
import { keyIdentity } from '../sources/trail-logs/normalize.js';

const DAY = 86_400_000;

export interface DemoStack {
  /** The folder holding the demo's config, requester directory and CloudTrail log folder. */
  dir: string;
  configFile: string;
  /** The environment the config's `...Env` names resolve against (demo credentials only). */
  env: Record<string, string>;
  emulators: { name: string; url: string; faults: FaultController | null; notes: string[] }[];
  /** The running emulators themselves (ground truth, faults) for tests. */
  handles: { smapi: SmapiEmulator; cloudtrail: CloudTrailEmulator; trailLogs: TrailLogsEmulator; amplitude: AmplitudeEmulator; files: ReturnType<typeof demoCloudtrailFilesSetup> };
  close(): Promise<void>;
}

export interface DemoStackOptions {
  /** Where the demo's setup files go. */
  dir: string;
  /** The data sets cover this range (the period to report on), with two days either side. */
  period: { start: number; end: number };
  now: number;
  organization?: string;
  timeZone: string;
  /** Fixed ports for `auditpack emulate` (0: any free port). */
  basePort?: number;
  /** How the CloudTrail log folder is read: locally (cloudtrail-files) or through the Athena emulator (cloudtrail-athena). */
  engine?: 'files' | 'athena';
}

/**
 * Starts every emulator in this process with seeded data around the period and writes a config
 * that points each source at its emulator: the same config shape a real user writes, so the demo
 * exercises the real code path end to end, over HTTP.
 */
export async function startDemoStack(opts: DemoStackOptions): Promise<DemoStack> {
  const from = opts.period.start - 2 * DAY;
  // A period that has ended gets the same data set whenever the demo runs (two days past its end
  // even where that is still ahead of the clock), so two demo runs give the same pack; a period
  // still running gets data up to now.
  const to = opts.period.end <= opts.now ? opts.period.end + 2 * DAY : opts.now;
  const port = (i: number) => (opts.basePort ? opts.basePort + i : 0);
  const started: { close(): Promise<void> }[] = [];
  try {
    const smapi: SmapiEmulator = await startSmapiEmulator({ period: { start: from, end: to }, plantBurst: true, port: port(0) });
    started.push(smapi);
    const cloudtrail: CloudTrailEmulator = await startCloudTrailEmulator({ end: to, days: Math.ceil((to - from) / DAY), regions: ['us-east-1', 'us-west-2'], port: port(1) });
    started.push(cloudtrail);
    const trailLogs: TrailLogsEmulator = await startTrailLogsEmulator({ start: from, end: to, port: port(2) });
    started.push(trailLogs);
    const amplitude: AmplitudeEmulator = await startAmplitudeEmulator({ start: from, end: to, port: port(3) });
    started.push(amplitude);

    await mkdir(opts.dir, { recursive: true });
    const files = demoCloudtrailFilesSetup(join(opts.dir, 'cloudtrail-logs'), { now: to, days: Math.ceil((to - from) / DAY) });
    const trailSetup = demoCloudTrailSetup(cloudtrail);
    let filesSetup: { sourceConfig: unknown; env: Record<string, string> } = files;
    let athenaUrl: string | null = null;
    if (opts.engine === 'athena') {
      const { demoAthenaSetup } = await import('./athena-demo.js');
      const athena = await demoAthenaSetup(files, trailSetup.env, port(4));
      started.push(athena.emulator);
      athenaUrl = athena.emulator.url;
      filesSetup = { sourceConfig: athena.sourceConfig, env: trailSetup.env };
    }
    const setups = [demoSmapiSetup(smapi), trailSetup, filesSetup, demoTrailLogsSetup(trailLogs), demoAmplitudeSetup(amplitude)];
    const directoryFile = join(opts.dir, 'requesters.csv');
    const directory = [...smapiDemoDirectory(), ...demoKeyOwners(trailLogs, cloudtrail)];
    await writeFile(directoryFile, 'userId,name,email\n' + directory.map((r) => [r.userId, r.name, r.email].map(csvField).join(',')).join('\n') + '\n');
    const config = {
      organization: opts.organization ?? 'Example Corp (demo data)',
      timezone: opts.timeZone,
      requesterDirectory: 'requesters.csv',
      businessHours: { days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00', holidays: [] },
      signOff: { preparedBy: 'auditpack demo' },
      sources: setups.map((s) => s.sourceConfig),
    };
    const configFile = join(opts.dir, 'auditpack.demo.json');
    await writeFile(configFile, JSON.stringify(config, null, 2) + '\n');
    return {
      dir: opts.dir,
      configFile,
      env: Object.assign({}, ...setups.map((s) => s.env)) as Record<string, string>,
      emulators: [
        { name: 'smapi', url: smapi.url, faults: smapi.faults, notes: [`LWA token endpoint ${smapi.tokenUrl}`, `vendorId ${smapi.vendorId}`] },
        { name: 'cloudtrail', url: cloudtrail.url, faults: cloudtrail.faults, notes: ['AWS JSON 1.1 LookupEvents; any SigV4 signature with the demo access key'] },
        athenaUrl
          ? { name: 'cloudtrail-athena', url: athenaUrl, faults: null, notes: [`Athena (AWS JSON 1.1) on DuckDB over ${files.sourceConfig.location}, also served read-only over S3 (path style) for the digest checks`] }
          : { name: 'cloudtrail-files', url: files.sourceConfig.location, faults: null, notes: ['a local AWSLogs/ folder with signed hourly digests'] },
        { name: 'trail-logs', url: trailLogs.url, faults: trailLogs.faults, notes: ['POST / then GET /query-result/{id}', 'variants: POST /__emulator/behaviour, see docs/sources/trail-logs.md'] },
        { name: 'amplitude', url: amplitude.url, faults: amplitude.faults, notes: [`POST /api/2/audit-logs/${amplitude.orgId}`] },
      ],
      handles: { smapi, cloudtrail, trailLogs, amplitude, files },
      close: async () => {
        await Promise.all(started.map((e) => e.close()));
      },
    };
  } catch (e) {
    await Promise.all(started.map((s) => s.close()));
    throw e;
  }
}

/**
 * Directory rows for the other sources' requesters, by their full ids (a Trail Logs key whole, an
 * IAM user's ARN), so the demo shows a name beside the full id as a real directory export would.
 * One key and one IAM user are left out: reports must show those ids unnamed.
 */
function demoKeyOwners(trailLogs: TrailLogsEmulator, cloudtrail: CloudTrailEmulator): { userId: string; name: string; email: string }[] {
  const keys = [...new Set(trailLogs.truth.records.map((r) => keyIdentity(r.publicKey)))].sort();
  const owners = ['Billing service', 'Partner portal', 'Edge gateway (mTLS)'];
  const rows = keys.slice(0, owners.length).map((userId, i) => ({ userId, name: owners[i], email: `platform-team@example.com` }));
  const accounts = [...new Set(cloudtrail.truth.events.map((e) => e.account))].sort();
  for (const account of accounts) rows.push({ userId: `arn:aws:iam::${account}:user/alice`, name: 'Alice Martin', email: 'alice@example.com' });
  return rows;
}

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
