import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { seededRandom, type Random } from '../kit/random.js';
import { digestStringToSign } from '../../sources/cloudtrail-files/digest-signing.js';
import { dayFolders, formatCompactTime } from '../../sources/cloudtrail-files/key-layout.js';
import { METADATA_SIDECAR_SUFFIX } from '../../sources/cloudtrail-files/local-store.js';
import { publicKeyFingerprint } from '../../sources/cloudtrail-files/public-keys.js';
import { GENERATOR_EVENT_SOURCES, makeRecord } from './records.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Minutes between the end of a file's slot and its delivery (the time in its key). */
const DELIVERY_DELAY = 3 * MINUTE;
/** Digest hours are not aligned to the clock, as in real trails (e.g. 18:36:49 → 19:36:49). */
const DIGEST_OFFSET = 13 * MINUTE + 7_000;

export interface LogFolderOptions {
  /** The folder that will hold AWSLogs/ (what `aws s3 sync s3://bucket/prefix <dir>` leaves). */
  dir: string;
  accounts: string[];
  regions: string[];
  /** Events get times in [start, end). */
  period: { start: number; end: number };
  seed: number | string;
  /** Records per file (each account and region has one file per slot). */
  eventsPerFile: number;
  /** Slot length: one file per account and region per slot (default 60 minutes). */
  fileEveryMinutes?: number;
  /** Event sources drawn from (default: a4b, lex, s3, iam, signin). */
  eventSources?: string[];
  /** Write hourly digests signed with this key; the sidecar `<digest>.metadata.json` holds the signature. */
  digests?: {
    privateKeyPem: string;
    trailName?: string;
    homeRegion?: string;
    until?: number;
    /**
     * The trail delivered to another bucket until `until` (it was moved here then): the digests
     * ending by then name that bucket and are not written to this folder, and the first one
     * after links to the last of them there (`previousDigestS3Bucket`).
     */
    movedFrom?: { bucket: string; until: number };
  };
  /** This many records are delivered a second time, in the next file. */
  duplicates?: number;
  /** Every `lateEvery`th record (default 7th) is delivered this many minutes after its eventTime. */
  lateDeliveryMinutes?: number;
  lateEvery?: number;
  /** Bucket and key prefix the digests name (the folder itself holds what lies below the prefix). */
  bucket?: string;
  bucketPrefix?: string;
  /** Organization trail: files under AWSLogs/<organizationId>/<account>/. */
  organizationId?: string;
  /** Also write one CloudTrail Insights file per account and region (never to be read as events). */
  insights?: boolean;
}

export interface TruthEvent {
  id: string;
  time: number;
  account: string;
  region: string;
  eventSource: string;
  eventName: string;
  outcome: 'success' | 'failure';
  /** Delivery time of the file that holds it (the first one, for duplicates). */
  deliveredAt: number;
  fileKey: string;
}

export interface TruthFile {
  key: string;
  account: string;
  region: string;
  deliveredAt: number;
  records: number;
  /** Hex SHA-256 of the uncompressed file. */
  sha256: string;
}

export interface LogFolderTruth {
  /** Every distinct event, in no particular order. */
  events: TruthEvent[];
  files: TruthFile[];
  digests: { key: string; start: number; end: number; account: string; region: string }[];
  /** Event ids delivered twice. */
  duplicateIds: string[];
  /** Ids of records in Insights files (must never be read). */
  insightIds: string[];
  bucket: string;
  /** When digests are written: the `aws cloudtrail list-public-keys` JSON for the signing key. */
  publicKeysJson?: string;
  publicKeyFingerprint?: string;
}

interface Slotted {
  truth: TruthEvent;
  record: Record<string, unknown>;
}

/**
 * Writes a CloudTrail log folder laid out as a trail delivers it (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html): gzip
 * `{"Records":[…]}` files named by delivery time, records delivered late or twice on request,
 * and, with `digests`, the hourly signed digest chain. Deterministic for a seed. Returns the
 * ground truth tests compare against.
 */
export function writeCloudTrailLogFolder(opts: LogFolderOptions): LogFolderTruth {
  const every = (opts.fileEveryMinutes ?? 60) * MINUTE;
  const sources = opts.eventSources ?? GENERATOR_EVENT_SOURCES;
  const bucket = opts.bucket ?? 'audit-trail-bucket';
  const lateEvery = Math.max(1, opts.lateEvery ?? 7);
  const truth: LogFolderTruth = { events: [], files: [], digests: [], duplicateIds: [], insightIds: [], bucket };
  const privateKey = opts.digests ? createPrivateKey(opts.digests.privateKeyPem) : null;
  const fingerprint = privateKey ? publicKeyFingerprint(createPublicKey(privateKey)) : undefined;
  if (privateKey && fingerprint) {
    truth.publicKeyFingerprint = fingerprint;
    truth.publicKeysJson = publicKeysJson(createPublicKey(privateKey), fingerprint, opts.period);
  }

  // Pass 1: every event, placed in the slot whose file delivers it.
  const pairs: { account: string; region: string; root: string; random: Random; slots: Map<number, Slotted[]> }[] = [];
  let counter = 0;
  for (const account of opts.accounts) {
    for (const region of opts.regions) {
      const random = seededRandom(`${opts.seed}:${account}:${region}`);
      const root = opts.organizationId ? `AWSLogs/${opts.organizationId}/${account}/` : `AWSLogs/${account}/`;
      const slots = new Map<number, Slotted[]>();
      for (let k = 0; opts.period.start + k * every < opts.period.end; k++) {
        const from = opts.period.start + k * every;
        const to = Math.min(from + every, opts.period.end);
        for (let i = 0; i < opts.eventsPerFile; i++) {
          const time = from + random.int(0, Math.max(1, Math.floor((to - from) / 1000))) * 1000;
          const gen = makeRecord(random, { account, region, time, eventSource: random.pick(sources) });
          const late = opts.lateDeliveryMinutes !== undefined && counter++ % lateEvery === lateEvery - 1;
          const slot = late ? Math.max(k, Math.ceil((time + (opts.lateDeliveryMinutes ?? 0) * MINUTE - DELIVERY_DELAY - opts.period.start) / every) - 1) : k;
          const t: TruthEvent = {
            id: String(gen.record.eventID),
            time,
            account,
            region,
            eventSource: gen.eventSource,
            eventName: gen.eventName,
            outcome: gen.failed ? 'failure' : 'success',
            deliveredAt: opts.period.start + (slot + 1) * every + DELIVERY_DELAY,
            fileKey: '',
          };
          truth.events.push(t);
          push(slots, slot, { truth: t, record: gen.record });
        }
      }
      pairs.push({ account, region, root, random, slots });
    }
  }
  const duplicates = Math.min(opts.duplicates ?? 0, truth.events.length);
  const duplicateSet = new Set<string>();
  for (let d = 0; d < duplicates; d++) duplicateSet.add(truth.events[Math.floor(((d + 0.5) * truth.events.length) / duplicates)].id);
  for (const p of pairs) {
    for (const [slot, items] of [...p.slots.entries()]) {
      for (const it of items) {
        if (duplicateSet.has(it.truth.id) && !truth.duplicateIds.includes(it.truth.id)) {
          truth.duplicateIds.push(it.truth.id);
          push(p.slots, slot + 1, { truth: it.truth, record: it.record });
        }
      }
    }
  }

  // Pass 2: the files, then the digests that list them.
  for (const p of pairs) {
    const files: (TruthFile & { oldest: number; newest: number })[] = [];
    for (const slot of [...p.slots.keys()].sort((a, b) => a - b)) {
      const items = shuffle(p.random, p.slots.get(slot) ?? []);
      const deliveredAt = opts.period.start + (slot + 1) * every + DELIVERY_DELAY;
      const key = `${p.root}CloudTrail/${p.region}/${dayFolders(deliveredAt, deliveredAt)[0]}/${p.account}_CloudTrail_${p.region}_${formatCompactTime(deliveredAt, false)}_${randomName(p.random)}.json.gz`;
      const content = Buffer.from(JSON.stringify({ Records: items.map((i) => i.record) }));
      writeFile(opts.dir, key, gzipSync(content));
      for (const i of items) if (!i.truth.fileKey) i.truth.fileKey = key;
      const times = items.map((i) => i.truth.time);
      const file = { key, account: p.account, region: p.region, deliveredAt, records: items.length, sha256: sha256(content), oldest: Math.min(...times), newest: Math.max(...times) };
      files.push(file);
      truth.files.push({ key, account: p.account, region: p.region, deliveredAt, records: items.length, sha256: file.sha256 });
    }
    if (opts.insights ?? true) {
      const at = opts.period.start + 30 * MINUTE;
      const id = `insight-${p.random.hex(24)}`;
      truth.insightIds.push(id);
      const key = `${p.root}CloudTrail-Insight/${p.region}/${dayFolders(at, at)[0]}/${p.account}_CloudTrail-Insight_${p.region}_${formatCompactTime(at, false)}_${randomName(p.random)}.json.gz`;
      const record = { eventVersion: '1.07', eventTime: iso(at - 5 * MINUTE), awsRegion: p.region, eventID: id, eventType: 'AwsCloudTrailInsight', recipientAccountId: p.account, sharedEventID: id, insightDetails: { state: 'Start', eventSource: 'a4b.amazonaws.com', eventName: 'SearchRooms', insightType: 'ApiCallRateInsight' }, eventCategory: 'Insight' };
      writeFile(opts.dir, key, gzipSync(JSON.stringify({ Records: [record] })));
    }
    if (privateKey && fingerprint && opts.digests) {
      const until = Math.max(opts.digests.until ?? opts.period.end + 1440 * MINUTE, ...files.map((f) => f.deliveredAt)) + HOUR + 5 * MINUTE;
      writeDigests(opts, p, files, { privateKey, fingerprint, bucket, until }, truth);
    }
  }
  return truth;
}

function writeDigests(
  opts: LogFolderOptions,
  p: { account: string; region: string; root: string },
  files: (TruthFile & { oldest: number; newest: number })[],
  d: { privateKey: KeyObject; fingerprint: string; bucket: string; until: number },
  truth: LogFolderTruth,
): void {
  const trail = opts.digests?.trailName ?? 'management-trail';
  const home = opts.digests?.homeRegion ?? 'us-east-1';
  const full = (key: string) => (opts.bucketPrefix ? `${opts.bucketPrefix}/${key}` : key);
  let previous: { object: string; signature: string; hash: string; bucket: string } | null = null;
  const moved = opts.digests?.movedFrom;
  for (let start = opts.period.start - HOUR + DIGEST_OFFSET; start < d.until; start += HOUR) {
    const end = start + HOUR;
    const bucket = moved && end <= moved.until ? moved.bucket : d.bucket;
    const inHour = files.filter((f) => f.deliveredAt >= start && f.deliveredAt < end);
    const key = `${p.root}CloudTrail-Digest/${p.region}/${dayFolders(end, end)[0]}/${p.account}_CloudTrail-Digest_${p.region}_${trail}_${home}_${formatCompactTime(end, true)}.json.gz`;
    const digest: SignedFields & Record<string, unknown> = {
      awsAccountId: p.account,
      digestStartTime: iso(start),
      digestEndTime: iso(end),
      digestS3Bucket: bucket,
      digestS3Object: full(key),
      digestPublicKeyFingerprint: d.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: inHour.length ? iso(Math.max(...inHour.map((f) => f.newest))) : null,
      oldestEventTime: inHour.length ? iso(Math.min(...inHour.map((f) => f.oldest))) : null,
      previousDigestS3Bucket: previous?.bucket ?? null,
      previousDigestS3Object: previous?.object ?? null,
      previousDigestHashValue: previous?.hash ?? null,
      previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
      previousDigestSignature: previous?.signature ?? null,
      logFiles: inHour.map((f) => ({
        s3Bucket: bucket,
        s3Object: full(f.key),
        hashValue: f.sha256,
        hashAlgorithm: 'SHA-256',
        newestEventTime: iso(f.newest),
        oldestEventTime: iso(f.oldest),
      })),
    };
    const content = Buffer.from(JSON.stringify(digest));
    const hash = sha256(content);
    const signature: string = sign('sha256', Buffer.from(digestStringToSign(digest, hash)), d.privateKey).toString('hex');
    if (bucket === d.bucket) {
      writeFile(opts.dir, key, gzipSync(content));
      writeFile(opts.dir, key + METADATA_SIDECAR_SUFFIX, Buffer.from(JSON.stringify({ signature, 'signature-algorithm': 'SHA256withRSA' })));
      truth.digests.push({ key, start, end, account: p.account, region: p.region });
    }
    previous = { object: full(key), signature, hash, bucket };
  }
}

/** `aws cloudtrail list-public-keys` output for one key (Value: base64 DER PKCS#1). */
function publicKeysJson(key: KeyObject, fingerprint: string, period: { start: number; end: number }): string {
  return JSON.stringify(
    {
      PublicKeyList: [
        {
          Value: key.export({ format: 'der', type: 'pkcs1' }).toString('base64'),
          ValidityStartTime: iso(period.start - 30 * 24 * HOUR),
          ValidityEndTime: iso(period.end + 30 * 24 * HOUR),
          Fingerprint: fingerprint,
        },
      ],
    },
    null,
    2,
  );
}

type SignedFields = Parameters<typeof digestStringToSign>[0];

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function shuffle<T>(r: Random, items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.int(0, i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function randomName(r: Random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 16; i++) s += chars[r.int(0, chars.length)];
  return s;
}

function writeFile(dir: string, key: string, body: Buffer): void {
  const path = join(dir, ...key.split('/'));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body);
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function iso(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
