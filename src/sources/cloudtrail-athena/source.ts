import { isAbsolute, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import type { SourceLedger } from '../../model/coverage.js';
import type { TimeWindow } from '../../model/window.js';
import { validateDigests } from '../cloudtrail-files/digest-validation.js';
import type { LogStore } from '../cloudtrail-files/log-store.js';
import { createPublicKeyProvider, type PublicKeyProvider } from '../cloudtrail-files/public-keys.js';
import { createS3Store } from '../cloudtrail-files/s3-store.js';
import { credentialsFromEnv } from '../cloudtrail-files/index.js';
import type { AggregatingSource, PushdownRequest, SourceDeps } from '../source.js';
import { compareFilesWithDigests, filesReadCsv } from './completeness.js';
import { parseS3Url, type CloudtrailAthenaConfig } from './config.js';
import type { QueryLedger, QueryRunner } from './query-runner.js';
import { runAthenaWindow } from './run-window.js';
import { compileRules, type CompiledRules } from './sql/compile-rules.js';
import { readEvidenceFiles, readIdentityRows, type FileRead, type KeyCopy } from './window-results.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** What the source is built from besides its config: replaced in tests and by the demo. */
export interface AthenaSourceParts {
  runner: QueryRunner;
  /** Where the digest files are read from (the trail bucket by default). */
  digestStore?: LogStore;
  publicKeys?: PublicKeyProvider;
  close?(): Promise<void>;
}

/**
 * The cloudtrail-athena source: each window's counts, exception candidates and files read come
 * from Athena queries over the trail bucket (run-window.ts); after the windows, the period's
 * digests are validated and the log files they list compared with the files Athena read
 * (completeness.ts). It never downloads a log file.
 */
export function createAthenaSource(config: CloudtrailAthenaConfig, deps: SourceDeps, parts: AthenaSourceParts): AggregatingSource {
  const name = config.name ?? 'cloudtrail-athena';
  const lateMs = config.lateDeliveryMinutes * MINUTE;
  const trail = parseS3Url(config.trailLocation);
  const bucketPrefix = `s3://${trail.bucket}/${trail.prefix ? `${trail.prefix}/` : ''}`;
  const filesRead = new Map<string, FileRead>();
  const listed = new Map<string, { hashValue: string; digest: string }>();
  let compiled: { key: PushdownRequest; rules: CompiledRules } | null = null;
  const compiledFor = (p: PushdownRequest): CompiledRules => {
    if (compiled?.key !== p) {
      compiled = {
        key: p,
        rules: compileRules(p.rules, { source: name, sourceType: 'cloudtrail-athena' }, { timeZone: p.timeZone, directoryIds: p.directoryIds, businessHours: p.businessHours }, p.samples ?? []),
      };
    }
    return compiled.rules;
  };
  const keyFile = config.publicKeysFile ? (isAbsolute(config.publicKeysFile) ? config.publicKeysFile : resolve(deps.configDir, config.publicKeysFile)) : undefined;
  let keys: PublicKeyProvider | null = null;
  let store: LogStore | null = null;
  const digestStore = (): LogStore =>
    (store ??=
      parts.digestStore ??
      createS3Store({
        bucket: trail.bucket,
        prefix: trail.prefix,
        region: config.region,
        endpoint: config.s3Endpoint,
        forcePathStyle: config.forcePathStyle,
        // Keys in the environment auditpack was given (as the Athena client uses them), else the SDK's chain.
        ...(credentials ? { credentials } : {}),
        maxKeys: 1000,
      }));
  // The period's repeated keys (run-window.ts identity): one query for every window of the run.
  let identity: Promise<ReadonlyMap<string, readonly KeyCopy[]>> | null = null;
  let identityLedger: QueryLedger[] = [];
  const credentials = config.profile ? undefined : credentialsFromEnv(deps);
  const wholeDays = config.windowHours % 24 === 0;
  const scope = `accounts ${config.accounts.join(', ')}, regions ${config.regions.join(', ')}`;

  return {
    kind: 'aggregating',
    name,
    type: 'cloudtrail-athena',
    description: `AWS CloudTrail log files in ${config.trailLocation} read by Amazon Athena (${config.database}.${config.table}, workgroup ${config.workgroup}; ${scope}${config.verifyDigests ? `, digests verified${config.hashLogFiles ? ' and log files hashed' : ''}` : ''})`,
    policy: {
      maxWindowMs: wholeDays ? null : config.windowHours * HOUR,
      windowDays: wholeDays ? config.windowHours / 24 : undefined,
      retentionMs: null,
      endInclusive: false,
      pageSize: 1000,
      concurrency: config.concurrency,
    },
    describeRequest(window: TimeWindow) {
      return {
        table: `${config.database}.${config.table}`,
        workgroup: config.workgroup,
        accounts: config.accounts,
        regions: config.regions,
        ...(config.organizationId ? { organizationId: config.organizationId } : {}),
        deliveredFrom: new Date(window.start).toISOString(),
        deliveredBefore: new Date(window.end + lateMs).toISOString(),
        lateDeliveryMinutes: config.lateDeliveryMinutes,
      };
    },
    estimateRequests() {
      // Three queries, each StartQueryExecution + a few polls + one result page or more (and, once a run, the repeated keys).
      return 3 * 6;
    },
    async queryWindow(window, ctx) {
      const fingerprint = createHash('sha256')
        .update(JSON.stringify([config.workgroup, config.database, config.table, ctx.period, window, ctx.pushdown.timeZone]))
        .digest('hex')
        .slice(0, 16);
      return runAthenaWindow(window, ctx, {
        sourceName: name,
        database: config.database,
        table: config.table,
        accounts: config.accounts,
        regions: config.regions,
        lateMs,
        runner: parts.runner,
        filesRead,
        // The run's identity too: a token reused by a later run would return this run's results.
        idempotencyKey: `${name}|${ctx.runId}|${fingerprint}`,
        identity(run, ledgers, sql) {
          if (!identity) {
            identityLedger = ledgers;
            identity = run(sql, 'period repeated keys', ledgers).then(readIdentityRows);
            // A failed identity query fails this window and is asked again by the next.
            identity.catch(() => {
              identity = null;
            });
          }
          return identity;
        },
      }, compiledFor(ctx.pushdown));
    },
    restoreWindow(_window, result) {
      for (const f of readEvidenceFiles(result.evidence)) if (!filesRead.has(f.key)) filesRead.set(f.key, f);
    },
    async finish(ctx): Promise<SourceLedger[]> {
      if (!config.verifyDigests) {
        return [
          {
            source: name, sourceType: 'cloudtrail-athena', title: 'Files read by Athena vs digests', status: 'complete',
            facts: { note: 'verifyDigests is off: the files Athena read are listed under raw/ but not proven complete', filesReadByAthena: filesRead.size },
            problems: [],
          },
        ];
      }
      keys ??= parts.publicKeys ?? createPublicKeyProvider({ file: keyFile, api: { endpoint: config.cloudtrailEndpoint, profile: config.profile, credentials } });
      const digests = await validateDigests(
        {
          sourceName: name,
          sourceType: 'cloudtrail-athena',
          store: digestStore(),
          filter: { accounts: config.accounts, regions: config.regions, organizationId: config.organizationId },
          lateMs,
          hashes: new Map(),
          keys,
          concurrency: config.concurrency * 2,
          hashLogFiles: config.hashLogFiles,
          listed,
        },
        ctx,
      );
      const range = { start: Date.parse(String(digests.facts.rangeStart)), end: Date.parse(String(digests.facts.rangeEnd)) };
      // Said in the ledger, so logFilesValidated: 0 does not read as files that failed, nor as files checked.
      if (!config.hashLogFiles) digests.facts.logFileHashes = 'not checked (hashLogFiles is off): a log file changed in place is not detected; files-read.csv gives each file\'s SHA-256 from its digest';
      return [digests, compareFilesWithDigests({ sourceName: name, range, listed, read: filesRead })];
    },
    populationLocation() {
      return (
        `The AWS CloudTrail log files in ${config.trailLocation} (${scope}), read by Amazon Athena (table ${config.database}.${config.table}, workgroup ${config.workgroup}). ` +
        `Every query's SQL text and execution id is in raw/${name}/<window>.json (and raw/${name}/period-repeated-keys.json): re-run them, or re-fetch and re-hash the files listed in raw/${name}/files-read.csv with their digest SHA-256. ` +
        'Exception rows and sample items are listed in full.'
      );
    },
    rawFiles() {
      const out = filesRead.size ? [{ name: 'files-read.csv', text: filesReadCsv(filesRead, listed, bucketPrefix) }] : [];
      const q = identityLedger.find((l) => l.label === 'period repeated keys');
      if (q) {
        const text = JSON.stringify({ label: q.label, executionId: q.executionId, state: q.state, bytesScanned: q.bytesScanned, estimatedCostUsd: q.estimatedCostUsd, sql: q.sql }, null, 2);
        out.push({ name: 'period-repeated-keys.json', text: `${text}\n` });
      }
      return out;
    },
    async close() {
      keys?.close();
      await store?.close();
      await parts.close?.();
    },
  };
}
