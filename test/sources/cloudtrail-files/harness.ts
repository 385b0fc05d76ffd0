import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretResolver } from '../../../src/config/secrets.js';
import { createHttpClient } from '../../../src/http/client.js';
import type { AuditEvent } from '../../../src/model/audit-event.js';
import type { SourceLedger, WindowCoverage } from '../../../src/model/coverage.js';
import type { TimeWindow } from '../../../src/model/window.js';
import { planWindows } from '../../../src/period/plan-windows.js';
import { gunzipSync } from 'node:zlib';
import { pullPeriod } from '../../../src/pipeline/pull-window.js';
import { createIdSet } from '../../../src/pipeline/id-set.js';
import type { RawWindowWriter } from '../../../src/pack/raw-archive.js';
import { cloudtrailFilesSource, type CloudtrailFilesConfigInput } from '../../../src/sources/cloudtrail-files/index.js';
import type { Source, SourceDeps } from '../../../src/sources/source.js';
import { systemClock, type Clock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { createRedactor } from '../../../src/util/redactor.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function makeFilesSource(input: CloudtrailFilesConfigInput, env: Record<string, string> = {}, extra: Pick<SourceDeps, 'workers'> = {}): Source {
  const config = cloudtrailFilesSource.configSchema.parse(input);
  const redactor = createRedactor();
  return cloudtrailFilesSource.create(config, {
    secrets: createSecretResolver(env, redactor),
    redactor,
    log: silentLogger,
    clock: systemClock,
    createHttpClient: (o) => createHttpClient(o, { clock: systemClock, log: silentLogger }),
    configDir: process.cwd(),
    env,
    ...extra,
  });
}

export interface PeriodRun {
  windows: WindowCoverage[];
  /** Events the pipeline kept (inside their window, de-duplicated across windows). */
  events: AuditEvent[];
  /** Kept event ids per window index. */
  idsByWindow: Map<number, string[]>;
  /** Every record the source yielded, as yielded. */
  records: unknown[];
}

/**
 * Runs the windows through the pipeline's own period runner (each file read once, records routed
 * to the window of their event time, de-duplicated by id and content), with `workers` parse threads.
 */
export async function runWindows(source: Source, windows: TimeWindow[]): Promise<PeriodRun> {
  const period = { start: windows[0]?.start ?? 0, end: windows[windows.length - 1]?.end ?? 0 };
  const run: PeriodRun = { windows: [], events: [], idsByWindow: new Map(windows.map((w) => [w.index, []])), records: [] };
  const archive: RawWindowWriter = {
    records: 0,
    async writePage(records) {
      run.records.push(...records);
    },
    async writeGzipPage(bytes) {
      for (const line of gunzipSync(bytes).toString('utf8').split('\n')) {
        if (!line) continue;
        const value = JSON.parse(line) as { Records?: unknown[] };
        if (value && Array.isArray(value.Records) && Object.keys(value).length === 1) run.records.push(...value.Records);
        else run.records.push(value);
      }
    },
  };
  run.windows = await pullPeriod(source, windows, {
    signal: new AbortController().signal,
    log: silentLogger,
    clock: systemClock,
    period,
    archives: windows.map(() => archive),
    seen: createIdSet(),
    sink: {
      accept(e) {
        run.events.push(e);
        const i = windows.findIndex((w) => e.time >= w.start && e.time < w.end);
        run.idsByWindow.get(windows[i].index)!.push(e.id);
      },
    },
    progress() {},
  });
  return run;
}

export function utcWindows(source: Source, start: number, end: number): TimeWindow[] {
  return planWindows({ start, end, timeZone: 'UTC' }, source.policy);
}

export async function finish(source: Source, period: { start: number; end: number }, now: number): Promise<SourceLedger> {
  const clock: Clock = { now: () => now, sleep: systemClock.sleep };
  const ledgers = await source.finish!({ signal: new AbortController().signal, log: silentLogger, clock, period });
  if (ledgers.length !== 1) throw new Error(`expected one ledger section, got ${ledgers.length}`);
  return ledgers[0];
}

/** 1024 bits keeps key generation quick in tests; the code is indifferent to the size (CloudTrail uses 2048). */
export function privateKeyPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function tempDir(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `auditpack-ct-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sorted(ids: Iterable<string>): string[] {
  return [...ids].sort();
}
