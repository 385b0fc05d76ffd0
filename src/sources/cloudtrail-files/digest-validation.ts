import { AuditpackError, isAuditpackError } from '../../errors.js';
import type { AttemptRecorder } from '../../http/types.js';
import type { SourceLedger, WindowProblem } from '../../model/coverage.js';
import { mapPool } from '../../pipeline/map-pool.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { isObject, str } from '../cloudtrail-common/values.js';
import { digestStringToSign, verifyDigestSignature } from './digest-signing.js';
import { discoverRegionFolders, type DiscoverFilter, type RegionFolder } from './discover.js';
import { dayFolders, parseDigestFileName, parseLogFileName, storeKeyOf } from './key-layout.js';
import { StoreMissingError, type LogStore } from './log-store.js';
import type { DigestPublicKey, PublicKeyProvider } from './public-keys.js';
import { readGzip } from './read-gzip.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Digests are delivered some minutes after their hour ends: ranges closer to now are not judged yet. */
const DIGEST_DELIVERY_ALLOWANCE = 2 * HOUR;
/** Consecutive digests share their boundary exactly; anything wider than this is a gap. */
const GAP_TOLERANCE = MINUTE;
/** Problems kept per kind; the rest are counted in one summary line. */
const MAX_PROBLEMS_PER_KIND = 50;

export interface DigestValidationInput {
  sourceName: string;
  store: LogStore;
  filter: DiscoverFilter;
  /** Late-delivery margin: files delivered up to period end + this were read, so they are validated too. */
  lateMs: number;
  /** SHA-256 of files already read by the windows (uncompressed), by store key. */
  hashes: ReadonlyMap<string, string>;
  keys: PublicKeyProvider;
  concurrency: number;
  /** The source the ledger section belongs to (default cloudtrail-files). */
  sourceType?: 'cloudtrail-files' | 'cloudtrail-athena';
  /**
   * false: log files are not read to check their hashes (the Athena path never downloads them);
   * each is recorded in `listed` with the hash its digest gives, for the auditor to re-check.
   */
  hashLogFiles?: boolean;
  /** Filled with every log file a digest lists: its SHA-256 per the digest, and the digest's key. */
  listed?: Map<string, { hashValue: string; digest: string }>;
}

export interface ValidationContext {
  signal: AbortSignal;
  log: Logger;
  clock: Clock;
  period: { start: number; end: number };
}

interface Digest {
  key: string;
  start: number;
  end: number;
  backfill: boolean;
  signature: string;
  previousSignature: string | null;
  previousKey: string | null;
  /** `previousDigestS3Object` as written: the key in its bucket (previousKey is the key in this store). */
  previousObject: string | null;
  previousBucket: string | null;
  bucket: string;
  previousHash: string | null;
  hash: string;
  logFiles: { key: string; hashValue: string }[];
}

interface Tally {
  digestFiles: number;
  digestsValid: number;
  badSignatures: number;
  invalidDigests: number;
  chainBreaks: number;
  chainRestarts: number;
  digestsMissing: number;
  /** Digests just before the range, named by the range's first digest, checked against its link. */
  previousDigestsChecked: number;
  hoursWithNoDigest: number;
  logFilesValidated: number;
  logFilesMissing: number;
  badHashes: number;
  filesInNoDigest: number;
}

/**
 * Walks the hourly digest chain of every account and region over the period (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html
 * and AWS "custom implementation of log file integrity validation"): each digest's RSA signature, its link to the previous digest (key, signature and
 * hash), the SHA-256 of every log file it lists (of the UNCOMPRESSED file), the hours no digest
 * covers, and log files no digest lists. Covers files delivered in [period start, period end +
 * late margin), the files the windows read, capped at two hours before now (digests still to come).
 *
 * Failures are ledger problems: "logging gap" (LOGGING_GAP: hours with no digest, a chain that
 * restarts) and "integrity failure" (INTEGRITY_FAILURE: bad signature, changed or missing file,
 * broken link, file in no digest). Any problem marks the section failed, so the pack is INCOMPLETE.
 */
export async function validateDigests(input: DigestValidationInput, ctx: ValidationContext): Promise<SourceLedger> {
  const rangeStart = ctx.period.start;
  const rangeEnd = Math.max(rangeStart, Math.min(ctx.period.end + input.lateMs, ctx.clock.now() - DIGEST_DELIVERY_ALLOWANCE));
  const rec: AttemptRecorder = { attempts: 0, retries: 0, throttles: 0, retryWaitMs: 0 };
  const tally: Tally = {
    digestFiles: 0, digestsValid: 0, badSignatures: 0, invalidDigests: 0, chainBreaks: 0, chainRestarts: 0, digestsMissing: 0,
    previousDigestsChecked: 0, hoursWithNoDigest: 0, logFilesValidated: 0, logFilesMissing: 0, badHashes: 0, filesInNoDigest: 0,
  };
  const problems = createProblemList();
  const facts: Record<string, string | number | boolean> = {
    rangeStart: new Date(rangeStart).toISOString(),
    rangeEnd: new Date(rangeEnd).toISOString(),
    publicKeys: input.keys.describe,
  };
  const ledger = (): SourceLedger => ({
    source: input.sourceName,
    sourceType: input.sourceType ?? 'cloudtrail-files',
    title: 'CloudTrail digest validation',
    status: problems.list().length > 0 ? 'failed' : 'complete',
    facts: { ...facts, ...tally, ...(input.store.kind === 's3' ? { requests: rec.attempts } : {}) },
    problems: problems.list(),
  });
  if (rangeEnd <= rangeStart) {
    facts.note = 'the period is too recent: its digests are not delivered yet';
    return ledger();
  }

  let pairs: { logs?: RegionFolder; digests?: RegionFolder; account: string; region: string }[];
  try {
    const logs = await discoverRegionFolders(input.store, 'CloudTrail', input.filter, rec, ctx.signal);
    const digests = await discoverRegionFolders(input.store, 'CloudTrail-Digest', input.filter, rec, ctx.signal);
    const byPair = new Map<string, { logs?: RegionFolder; digests?: RegionFolder; account: string; region: string }>();
    for (const f of logs) byPair.set(`${f.accountRoot}|${f.region}`, { ...byPair.get(`${f.accountRoot}|${f.region}`), logs: f, account: f.account, region: f.region });
    for (const f of digests) byPair.set(`${f.accountRoot}|${f.region}`, { ...byPair.get(`${f.accountRoot}|${f.region}`), digests: f, account: f.account, region: f.region });
    pairs = [...byPair.values()];
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    problems.add('failure', { item: input.store.describe, code: 'INTEGRITY_FAILURE', message: `integrity failure: cannot list the trail folders: ${messageOf(e)}` });
    return ledger();
  }
  facts.accountRegions = pairs.length;

  for (const pair of pairs) {
    const where = `${pair.account}/${pair.region}`;
    let keys: DigestPublicKey[] = [];
    try {
      keys = await input.keys.keysFor(pair.region, rangeStart - HOUR, rangeEnd + 2 * HOUR);
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      problems.add('keys', { item: where, code: 'INTEGRITY_FAILURE', message: `integrity failure: no public keys to check digest signatures in ${pair.region}: ${messageOf(e)}` });
    }
    const digests = pair.digests ? await loadDigests(pair.digests, rangeStart, rangeEnd, keys, input, rec, ctx, tally, problems) : [];
    const missing = checkChain(digests, where, tally, problems);
    await checkLinkIntoRange(digests, missing, facts, input, rec, ctx, tally, problems);
    checkGaps(digests, rangeStart, rangeEnd, where, missing, tally, problems);
    reportMissing(missing, tally, problems);
    const listed = await checkLogFiles(digests, input, rec, ctx, tally, problems);
    if (pair.logs) await checkUnlisted(pair.logs, rangeStart, rangeEnd, listed, input, rec, ctx, tally, problems);
  }
  return ledger();
}

async function loadDigests(
  folder: RegionFolder,
  rangeStart: number,
  rangeEnd: number,
  keys: DigestPublicKey[],
  input: DigestValidationInput,
  rec: AttemptRecorder,
  ctx: ValidationContext,
  tally: Tally,
  problems: ProblemList,
): Promise<Digest[]> {
  // A digest is named by the END of its hour: those ending up to an hour past the range cover its last files.
  const lastEnd = rangeEnd + HOUR + 5 * MINUTE;
  const keysFound: string[] = [];
  for (const day of dayFolders(rangeStart, lastEnd)) {
    for await (const page of input.store.listFolder(`${folder.folder}${day}/`, rec, ctx.signal)) {
      for (const f of page.files) {
        const name = parseDigestFileName(f.key);
        if (name && name.endsAt > rangeStart && name.endsAt <= lastEnd) keysFound.push(f.key);
      }
    }
  }
  const loaded = await mapPool(keysFound, input.concurrency, async (key) => {
    tally.digestFiles++;
    try {
      return await loadDigest(key, keys, input, rec, ctx, tally, problems);
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      tally.invalidDigests++;
      problems.add('digest', { item: key, code: 'INTEGRITY_FAILURE', message: `integrity failure: digest ${key} cannot be read: ${messageOf(e)}` });
      return null;
    }
  });
  return loaded.filter((d): d is Digest => d !== null).sort((a, b) => a.end - b.end || (a.key < b.key ? -1 : 1));
}

async function loadDigest(
  key: string,
  keys: DigestPublicKey[],
  input: DigestValidationInput,
  rec: AttemptRecorder,
  ctx: ValidationContext,
  tally: Tally,
  problems: ProblemList,
): Promise<Digest | null> {
  const read = await readGzip(input.store, key, { keep: true, hash: true }, rec, ctx.signal);
  const meta = await input.store.metadata(key, rec, ctx.signal);
  let parsed: unknown;
  try {
    parsed = JSON.parse((read.content ?? Buffer.alloc(0)).toString('utf8'));
  } catch {
    parsed = null;
  }
  const endText = isObject(parsed) ? str(parsed.digestEndTime) : undefined;
  const startText = isObject(parsed) ? str(parsed.digestStartTime) : undefined;
  const bucket = isObject(parsed) ? str(parsed.digestS3Bucket) : undefined;
  const object = isObject(parsed) ? str(parsed.digestS3Object) : undefined;
  if (!isObject(parsed) || !endText || !startText || !bucket || !object || !Number.isFinite(Date.parse(endText)) || !Number.isFinite(Date.parse(startText))) {
    tally.invalidDigests++;
    problems.add('digest', { item: key, code: 'INTEGRITY_FAILURE', message: `integrity failure: digest ${key} is not a CloudTrail digest (fields missing)` });
    return null;
  }
  const previousObject = str(parsed.previousDigestS3Object) ?? null;
  const digest: Digest = {
    key,
    start: Date.parse(startText),
    end: Date.parse(endText),
    backfill: parseDigestFileName(key)?.backfill ?? false,
    signature: (meta.signature ?? '').toLowerCase(),
    previousSignature: str(parsed.previousDigestSignature)?.toLowerCase() ?? null,
    previousKey: previousObject === null ? null : storeKeyOf(previousObject),
    previousObject,
    previousBucket: str(parsed.previousDigestS3Bucket) ?? null,
    bucket,
    previousHash: str(parsed.previousDigestHashValue)?.toLowerCase() ?? null,
    hash: read.sha256 ?? '',
    logFiles: (Array.isArray(parsed.logFiles) ? parsed.logFiles : []).flatMap((f) => {
      const o = isObject(f) ? str(f.s3Object) : undefined;
      const h = isObject(f) ? str(f.hashValue) : undefined;
      return o && h ? [{ key: storeKeyOf(o), hashValue: h.toLowerCase() }] : [];
    }),
  };

  const failures: string[] = [];
  if (storeKeyOf(object) !== key) failures.push(`it says it belongs at ${object}: moved or copied from another place`);
  const algorithm = meta['signature-algorithm'];
  if (!meta.signature) {
    failures.push(`no signature in its metadata (x-amz-meta-signature${input.store.kind === 'local' ? ', or a .metadata.json sidecar' : ''})`);
  } else if (algorithm && algorithm !== 'SHA256withRSA') {
    failures.push(`unsupported signature algorithm ${algorithm}`);
  } else {
    const toSign = digestStringToSign(
      { digestEndTime: endText, digestS3Bucket: bucket, digestS3Object: object, previousDigestSignature: str(parsed.previousDigestSignature) ?? null },
      digest.hash,
    );
    const fingerprint = str(parsed.digestPublicKeyFingerprint)?.toLowerCase();
    const byFingerprint = keys.filter((k) => k.fingerprint === fingerprint);
    const candidates = byFingerprint.length > 0 ? byFingerprint : keys.filter((k) => k.computedFingerprint);
    if (candidates.length === 0) failures.push(`no public key with fingerprint ${fingerprint ?? '(none)'}`);
    else if (!candidates.some((k) => verifyDigestSignature(toSign, digest.signature, k.key))) failures.push('the signature does not verify');
  }
  if (failures.length > 0) {
    tally.badSignatures++;
    problems.add('signature', { item: key, code: 'INTEGRITY_FAILURE', message: `integrity failure: digest ${key}: ${failures.join('; ')}` });
  } else {
    tally.digestsValid++;
  }
  return digest;
}

/** A digest a link names that is not there: keyed by the digest whose link names it. */
type MissingLinks = Map<string, { missing: string; namedBy: Digest }>;

/**
 * Each digest names the one before it: the named key, its signature and its hash must all match.
 * Returns the links that name a digest that is not there; they are reported by checkGaps (with the
 * hours the deleted digest covered) or by reportMissing.
 */
function checkChain(digests: Digest[], where: string, tally: Tally, problems: ProblemList): MissingLinks {
  const missing: MissingLinks = new Map();
  const chain = digests.filter((d) => !d.backfill);
  const byKey = new Map(chain.map((d) => [d.key, d]));
  for (let i = 1; i < chain.length; i++) {
    const cur = chain[i];
    const prev = chain[i - 1];
    if (cur.previousKey === null || cur.previousSignature === null) {
      tally.chainRestarts++;
      problems.add('gap', {
        item: cur.key,
        code: 'LOGGING_GAP',
        message: `logging gap: the digest chain of ${where} starts again at ${cur.key} (log file validation or logging was turned off before it)`,
      });
      continue;
    }
    if (cur.previousKey !== prev.key) {
      if (byKey.has(cur.previousKey)) {
        tally.chainBreaks++;
        problems.add('chain', { item: cur.key, code: 'INTEGRITY_FAILURE', message: `integrity failure: digest ${cur.key} links to ${cur.previousKey}, not to the digest just before it (${prev.key})` });
      } else {
        missing.set(cur.key, { missing: cur.previousKey, namedBy: cur });
      }
      continue;
    }
    checkLinkMatches(cur, prev.key, prev.signature, prev.hash, tally, problems);
  }
  return missing;
}

function checkLinkMatches(cur: Digest, prevKey: string, prevSignature: string, prevHash: string, tally: Tally, problems: ProblemList): void {
  if (cur.previousSignature !== prevSignature) {
    tally.chainBreaks++;
    problems.add('chain', { item: cur.key, code: 'INTEGRITY_FAILURE', message: `integrity failure: digest ${cur.key} carries a previous signature that is not ${prevKey}'s` });
  } else if (cur.previousHash !== null && cur.previousHash !== prevHash) {
    tally.chainBreaks++;
    problems.add('chain', { item: cur.key, code: 'INTEGRITY_FAILURE', message: `integrity failure: ${prevKey} changed after ${cur.key} recorded its hash` });
  }
}

/**
 * The range's first digest links to one delivered before the range, which the listing does not
 * load: fetch it by the key the link names and check it is there with the signature and hash the
 * link recorded. Without this, deleting the digest that covers the period's first hour would read
 * as logging that was off. The trail's very first digest (and the first after validation or logging
 * was turned back on) has null previous-digest fields (AWS, "CloudTrail digest file structure",
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html):
 * there is no link to follow. The linked digest's own RSA signature need not be verified: the
 * first digest's verified signature covers the previous signature it names, and its hash covers
 * the previous digest's hash, so a match proves the linked digest is the one CloudTrail delivered.
 */
async function checkLinkIntoRange(
  digests: Digest[],
  missing: MissingLinks,
  facts: Record<string, string | number | boolean>,
  input: DigestValidationInput,
  rec: AttemptRecorder,
  ctx: ValidationContext,
  tally: Tally,
  problems: ProblemList,
): Promise<void> {
  const first = digests.find((d) => !d.backfill);
  if (!first || first.previousKey === null || first.previousSignature === null) return;
  if (first.previousBucket !== null && first.previousBucket !== first.bucket) {
    // The trail was moved to this bucket: the digest before lies in the old one, out of reach. The
    // first digest's own signature still holds, and any hours it does not cover are gaps below.
    // Named as it lies in that bucket (with its key prefix), for whoever checks it there.
    facts.previousDigestNotChecked = `${first.previousBucket}/${first.previousObject} (another bucket)`;
    return;
  }
  const prevKey = first.previousKey;
  let hash: string;
  let signature: string;
  try {
    hash = (await readGzip(input.store, prevKey, { keep: false, hash: true }, rec, ctx.signal)).sha256 ?? '';
    signature = ((await input.store.metadata(prevKey, rec, ctx.signal)).signature ?? '').toLowerCase();
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    if (e instanceof StoreMissingError) {
      missing.set(first.key, { missing: prevKey, namedBy: first });
      return;
    }
    if (isAuditpackError(e) && e.fatal) throw e;
    tally.invalidDigests++;
    problems.add('digest', { item: prevKey, code: 'INTEGRITY_FAILURE', message: `integrity failure: digest ${prevKey}, named by ${first.key}, cannot be read: ${messageOf(e)}` });
    return;
  }
  tally.previousDigestsChecked++;
  checkLinkMatches(first, prevKey, signature, hash, tally, problems);
}

/** Missing digests not already reported with the hours they covered. */
function reportMissing(missing: MissingLinks, tally: Tally, problems: ProblemList): void {
  for (const { missing: key, namedBy } of missing.values()) {
    tally.digestsMissing++;
    problems.add('chain', { item: key, code: 'INTEGRITY_FAILURE', message: `integrity failure: digest ${key}, named by ${namedBy.key}, is missing (deleted?)` });
  }
  missing.clear();
}

/**
 * Every moment of the range must fall in some digest's [digestStartTime, digestEndTime). Hours
 * before a digest whose link names a missing digest were covered by that digest: they are an
 * integrity failure naming it (deleted evidence), not a logging gap (logging that was off).
 */
function checkGaps(digests: Digest[], rangeStart: number, rangeEnd: number, where: string, missing: MissingLinks, tally: Tally, problems: ProblemList): void {
  const intervals = digests.filter((d) => !d.backfill && d.end > d.start).sort((a, b) => a.start - b.start);
  let cursor = rangeStart;
  const gap = (from: number, to: number, before?: Digest) => {
    const hours = Math.max(1, Math.round((to - from) / HOUR));
    tally.hoursWithNoDigest += hours;
    const span = `${where} from ${new Date(from).toISOString()} to ${new Date(to).toISOString()} (${hours} hour(s))`;
    const link = before ? missing.get(before.key) : undefined;
    if (before && link) {
      missing.delete(before.key);
      tally.digestsMissing++;
      problems.add('chain', {
        item: link.missing,
        code: 'INTEGRITY_FAILURE',
        message: `integrity failure: digest ${link.missing}, named by ${before.key}, is missing (deleted?): no digest covers ${span}`,
      });
      return;
    }
    problems.add('gap', { item: `${where} ${new Date(from).toISOString()}`, code: 'LOGGING_GAP', message: `logging gap: no digest covers ${span}` });
  };
  for (const d of intervals) {
    if (cursor >= rangeEnd) break;
    if (d.start > cursor + GAP_TOLERANCE) gap(cursor, Math.min(d.start, rangeEnd), d);
    cursor = Math.max(cursor, d.end);
  }
  if (cursor < rangeEnd - GAP_TOLERANCE) gap(cursor, rangeEnd);
}

/** The hash of every log file a digest lists; returns every key listed. */
async function checkLogFiles(
  digests: Digest[],
  input: DigestValidationInput,
  rec: AttemptRecorder,
  ctx: ValidationContext,
  tally: Tally,
  problems: ProblemList,
): Promise<Set<string>> {
  const listed = new Set<string>();
  const work: { digest: Digest; key: string; hashValue: string }[] = [];
  for (const d of digests) {
    for (const f of d.logFiles) {
      listed.add(f.key);
      input.listed?.set(f.key, { hashValue: f.hashValue, digest: d.key });
      if (input.hashLogFiles !== false) work.push({ digest: d, ...f });
    }
  }
  await mapPool(work, input.concurrency, async ({ digest, key, hashValue }) => {
    let actual = input.hashes.get(key);
    if (actual === undefined) {
      try {
        actual = (await readGzip(input.store, key, { keep: false, hash: true }, rec, ctx.signal)).sha256;
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        if (e instanceof StoreMissingError) {
          tally.logFilesMissing++;
          problems.add('missing', { item: key, code: 'INTEGRITY_FAILURE', message: `integrity failure: log file ${key}, listed in digest ${digest.key}, is missing (deleted?)` });
          return;
        }
        if (isAuditpackError(e) && e.fatal) throw e;
        tally.badHashes++;
        problems.add('hash', { item: key, code: 'INTEGRITY_FAILURE', message: `integrity failure: log file ${key} cannot be read to check its hash: ${messageOf(e)}` });
        return;
      }
    }
    if (actual !== hashValue) {
      tally.badHashes++;
      problems.add('hash', { item: key, code: 'INTEGRITY_FAILURE', message: `integrity failure: log file ${key} changed since digest ${digest.key} recorded it (SHA-256 differs)` });
      return;
    }
    tally.logFilesValidated++;
  });
  return listed;
}

/** Log files delivered in the range that no digest lists: added, or delivered while validation was off. */
async function checkUnlisted(
  folder: RegionFolder,
  rangeStart: number,
  rangeEnd: number,
  listed: ReadonlySet<string>,
  input: DigestValidationInput,
  rec: AttemptRecorder,
  ctx: ValidationContext,
  tally: Tally,
  problems: ProblemList,
): Promise<void> {
  for (const day of dayFolders(rangeStart, rangeEnd - 1)) {
    for await (const page of input.store.listFolder(`${folder.folder}${day}/`, rec, ctx.signal)) {
      for (const f of page.files) {
        const name = parseLogFileName(f.key);
        if (!name || name.deliveredAt < rangeStart || name.deliveredAt >= rangeEnd || listed.has(f.key)) continue;
        tally.filesInNoDigest++;
        problems.add('unlisted', { item: f.key, code: 'INTEGRITY_FAILURE', message: `integrity failure: log file ${f.key} is in no digest` });
      }
    }
  }
}

interface ProblemList {
  add(kind: string, p: WindowProblem): void;
  list(): WindowProblem[];
}

/** Keeps the first problems of each kind and counts the rest, so a month without digests stays readable. */
function createProblemList(): ProblemList {
  const kept: WindowProblem[] = [];
  const perKind = new Map<string, { count: number; code: string }>();
  return {
    add(kind, p) {
      const k = perKind.get(kind) ?? { count: 0, code: p.code };
      k.count++;
      perKind.set(kind, k);
      if (k.count <= MAX_PROBLEMS_PER_KIND) kept.push(p);
    },
    list() {
      const out = [...kept];
      for (const [kind, k] of perKind) {
        if (k.count > MAX_PROBLEMS_PER_KIND) {
          out.push({ item: `(${kind})`, code: k.code, message: `${k.count - MAX_PROBLEMS_PER_KIND} more ${kind} problem(s) of the same kind not listed` });
        }
      }
      return out;
    },
  };
}

function messageOf(e: unknown): string {
  if (e instanceof AuditpackError) return e.message;
  return e instanceof Error ? e.message : String(e);
}
