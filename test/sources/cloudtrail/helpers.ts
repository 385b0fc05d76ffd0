import { createHttpClient } from '../../../src/http/client.js';
import type { RateLimiterRegistry } from '../../../src/http/rate-limiter.js';
import { emptyStats, type WindowStats } from '../../../src/model/coverage.js';
import type { AuditEvent } from '../../../src/model/audit-event.js';
import type { TimeWindow } from '../../../src/model/window.js';
import { createSecretResolver } from '../../../src/config/secrets.js';
import type { PullContext, PullItem, Source, SourceDeps } from '../../../src/sources/source.js';
import { cloudtrailSource } from '../../../src/sources/cloudtrail/index.js';
import { cloudtrailConfigSchema, type CloudTrailConfigInput } from '../../../src/sources/cloudtrail/config.js';
import type { CloudTrailEmulator, EmulatorCredential } from '../../../src/emulators/cloudtrail/index.js';
import { systemClock, type Clock } from '../../../src/util/clock.js';
import { createRedactor, type Redactor } from '../../../src/util/redactor.js';
import { silentLogger } from '../../../src/util/logger.js';

/** Env with the emulator's dummy keys; shared AWS files pointed nowhere so a developer's own config cannot leak in. */
export function awsEnv(cred: Pick<EmulatorCredential, 'accessKeyId' | 'secretAccessKey'>): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: cred.accessKeyId,
    AWS_SECRET_ACCESS_KEY: cred.secretAccessKey,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

export function makeSource(
  emu: CloudTrailEmulator,
  config: Partial<CloudTrailConfigInput> & { regions: string[] },
  opts: { env?: NodeJS.ProcessEnv; clock?: Clock; redactor?: Redactor; rateLimiters?: RateLimiterRegistry } = {},
): Source {
  const redactor = opts.redactor ?? createRedactor();
  const clock = opts.clock ?? systemClock;
  const env = opts.env ?? awsEnv(emu.credentials[0]);
  const deps: SourceDeps = {
    secrets: createSecretResolver(env, redactor),
    redactor,
    log: silentLogger,
    clock,
    createHttpClient: (o) => createHttpClient(o, { clock, log: silentLogger }),
    rateLimiters: opts.rateLimiters,
    configDir: process.cwd(),
    env,
  };
  const parsed = cloudtrailConfigSchema.parse({
    type: 'cloudtrail',
    endpoint: emu.url,
    requestsPerSecond: 100,
    retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 40 },
    ...config,
  });
  return cloudtrailSource.create(parsed, deps);
}

export function makeContext(stats: WindowStats = emptyStats(), signal: AbortSignal = new AbortController().signal): PullContext {
  return {
    http: createHttpClient({}, { clock: systemClock, log: silentLogger }),
    signal,
    log: silentLogger,
    clock: systemClock,
    stats,
    progress: () => undefined,
  };
}

export interface PullResult {
  /** Events kept: in [start, end), first sighting of each id (what the pipeline keeps). */
  events: AuditEvent[];
  stats: WindowStats;
  items: PullItem[];
  recordsReceived: number;
  outside: number;
  /** Ids seen twice without a restart in between. */
  duplicates: number;
}

/**
 * Pulls one window the way the pipeline does (src/pipeline/pull-window.ts): normalize, keep
 * half-open [start, end), de-duplicate by id; a record seen again after a restart is a re-read.
 * `onItem` runs after each yielded item (to expire tokens mid-window, for instance).
 */
export async function pullAll(
  source: Source,
  window: Omit<TimeWindow, 'index'> & { index?: number },
  onItem?: (item: PullItem, n: number) => void,
  ctx: PullContext = makeContext(),
): Promise<PullResult> {
  const w: TimeWindow = { index: window.index ?? 0, start: window.start, end: window.end };
  const kept = new Map<string, AuditEvent>();
  let beforeRestart = new Set<string>();
  const items: PullItem[] = [];
  let received = 0;
  let outside = 0;
  let duplicates = 0;
  for await (const item of source.pull!(w, ctx)) {
    items.push(item);
    if (item.kind === 'restart') {
      beforeRestart = new Set(kept.keys());
    } else {
      for (const raw of item.records) {
        received++;
        const ev = source.normalize(raw);
        if (!ev) continue;
        if (ev.time < w.start || ev.time >= w.end) {
          outside++;
          continue;
        }
        if (kept.has(ev.id)) {
          if (beforeRestart.has(ev.id)) beforeRestart.delete(ev.id);
          else duplicates++;
          continue;
        }
        kept.set(ev.id, ev);
      }
    }
    onItem?.(item, items.length);
  }
  return { events: [...kept.values()], stats: ctx.stats, items, recordsReceived: received, outside, duplicates };
}

export function ids(events: readonly { id: string }[]): string[] {
  return events.map((e) => e.id).sort();
}
