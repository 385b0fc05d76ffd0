import { isAbsolute, resolve } from 'node:path';
import { AuditpackError } from '../../errors.js';
import type { AttemptRecorder } from '../../http/types.js';
import type { TimeWindow } from '../../model/window.js';
import { normalizeCloudTrailRecord } from '../cloudtrail-common/normalize-record.js';
import type { Source, SourceDefinition, SourceDeps } from '../source.js';
import { cloudtrailFilesConfigSchema, type CloudtrailFilesConfig } from './config.js';
import { validateDigests } from './digest-validation.js';
import { discoverRegionFolders, type DiscoverFilter, type RegionFolder } from './discover.js';
import { createLocalStore } from './local-store.js';
import { parseLocation } from './location.js';
import type { LogStore } from './log-store.js';
import { createPublicKeyProvider, type ListPublicKeysOptions, type PublicKeyProvider } from './public-keys.js';
import { availableParallelism } from 'node:os';
import { compiledModuleUrl, createWorkerPool } from '../../util/worker-pool.js';
import type { ParseResult, ParseTask } from './parse-log-file.js';
import { pullFilesPeriod } from './pull-period.js';
import { createDeferredS3Store } from './deferred-s3-store.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type { CloudtrailFilesConfig, CloudtrailFilesConfigInput } from './config.js';

export const cloudtrailFilesSource: SourceDefinition<CloudtrailFilesConfig> = {
  type: 'cloudtrail-files',
  title: 'AWS CloudTrail log files (S3 or local folder)',
  configSchema: cloudtrailFilesConfigSchema,
  create(config, deps): Source {
    const name = config.name ?? 'cloudtrail-files';
    const location = parseLocation(config.location, deps.configDir);
    if (location.kind === 'local' && (config.endpoint || config.forcePathStyle !== undefined)) {
      throw new AuditpackError('CONFIG_INVALID', `sources.${name}: endpoint and forcePathStyle apply to s3:// locations only`, {
        hint: `location ${config.location} is a local folder`,
      });
    }
    const credentials = credentialsFromEnv(deps);
    const store: LogStore =
      location.kind === 's3'
        ? createDeferredS3Store({
            bucket: location.bucket,
            prefix: location.prefix,
            region: config.s3Region ?? deps.env.AWS_REGION ?? deps.env.AWS_DEFAULT_REGION ?? 'us-east-1',
            endpoint: config.endpoint,
            forcePathStyle: config.forcePathStyle,
            profile: config.profile,
            credentials,
            maxKeys: config.listPageSize,
          })
        : createLocalStore(location.folder);
    const filter: DiscoverFilter = { accounts: config.accounts, regions: config.regions, organizationId: config.organizationId };
    const lateMs = config.lateDeliveryMinutes * MINUTE;
    const hashes = config.verifyDigests ? new Map<string, string>() : null;
    const workers = Math.max(1, deps.workers ?? availableParallelism());
    const startPool = () =>
      // A small young generation: a file's parsed records live until the file is done, so a large
      // one only grows each worker's memory (2 workers: some 35 MiB less peak RSS, no slower).
      createWorkerPool<ParseTask, ParseResult>({ script: compiledModuleUrl('./parse-worker.js', import.meta.url), size: workers, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    const api: ListPublicKeysOptions = { endpoint: config.cloudtrailEndpoint, profile: config.profile, credentials };
    const keyFile = config.publicKeysFile ? (isAbsolute(config.publicKeysFile) ? config.publicKeysFile : resolve(deps.configDir, config.publicKeysFile)) : undefined;
    // Read the key file now: a wrong path is a configuration error, better reported before any pull.
    const keys: PublicKeyProvider | null = config.verifyDigests ? createPublicKeyProvider({ file: keyFile, api }) : null;

    // Discovered once per run (per source instance), shared by all windows.
    let discovered: Promise<RegionFolder[]> | null = null;
    const folders = (rec: AttemptRecorder, signal: AbortSignal) => {
      discovered ??= discoverRegionFolders(store, 'CloudTrail', filter, rec, signal);
      const p = discovered;
      // A failed discovery (a network blip) is retried by the next window rather than cached.
      p.catch(() => {
        if (discovered === p) discovered = null;
      });
      return p;
    };

    const wholeDays = config.windowHours % 24 === 0;
    const scope = `${config.accounts ? `accounts ${config.accounts.join(', ')}` : 'all accounts'}, ${config.regions ? `regions ${config.regions.join(', ')}` : 'all regions'}`;
    return {
      name,
      type: 'cloudtrail-files',
      description: `AWS CloudTrail log files in ${store.describe} (${scope}${config.verifyDigests ? ', digests verified' : ''})`,
      policy: {
        // Files have no query limits: windows group the ledger and the raw archive.
        maxWindowMs: wholeDays ? null : config.windowHours * HOUR,
        windowDays: wholeDays ? config.windowHours / 24 : undefined,
        // Log files are kept as long as the bucket keeps them.
        retentionMs: null,
        endInclusive: false,
        // One page per log file: no page size to ask for.
        pageSize: 0,
        concurrency: config.concurrency,
        // A file may land up to the configured margin after its events: the data is final only then.
        deliveryDelayMs: lateMs,
      },
      describeRequest(window: TimeWindow) {
        return {
          location: store.describe,
          accounts: config.accounts ?? 'all',
          regions: config.regions ?? 'all',
          ...(config.organizationId ? { organizationId: config.organizationId } : {}),
          // Files are listed once for the period (delivered from its start to its end plus the
          // margin); this window holds the events of its time range, and archives the files delivered in it.
          filesDeliveredFrom: new Date(window.start).toISOString(),
          lateDeliveryMinutes: config.lateDeliveryMinutes,
        };
      },
      pullPeriod(windows, ctx) {
        return pullFilesPeriod(windows, ctx, {
          store, sourceName: name, folders, lateMs, hashes, maxFileBytes: config.maxLogFileMiB * 1024 * 1024, startPool, inFlight: Math.max(workers * 2, config.concurrency),
        });
      },
      normalize(raw) {
        return normalizeCloudTrailRecord(raw, name, 'cloudtrail-files');
      },
      estimateRequests(window) {
        // Per account and region and day folder: a listing, and about 288 files (one per 5 minutes).
        const days = Math.ceil((window.end + lateMs - window.start) / DAY);
        return days * (config.accounts?.length ?? 1) * (config.regions?.length ?? 1) * 289;
      },
      ...(keys
        ? {
            async finish(ctx: Parameters<NonNullable<Source['finish']>>[0]) {
              return [
                await validateDigests(
                  { sourceName: name, store, filter, lateMs, hashes: hashes ?? new Map(), keys, concurrency: config.concurrency * 2 },
                  ctx,
                ),
              ];
            },
          }
        : {}),
      async close() {
        keys?.close();
        await store.close();
      },
    };
  },
};

/**
 * Keys in the environment the source was given (the process environment in normal runs, a test's
 * own in tests) are used as they are, as the SDK's env provider would; otherwise the SDK's
 * default chain (profile, SSO, container, instance role) resolves them. Never logged.
 */
export function credentialsFromEnv(deps: Pick<SourceDeps, 'env' | 'redactor'>): ListPublicKeysOptions['credentials'] {
  const accessKeyId = deps.env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = deps.env.AWS_SECRET_ACCESS_KEY?.trim();
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = deps.env.AWS_SESSION_TOKEN?.trim() || undefined;
  deps.redactor.add(secretAccessKey);
  deps.redactor.add(sessionToken);
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
