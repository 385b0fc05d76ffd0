import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type ListObjectsV2CommandInput, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { AttemptRecorder } from '../../http/types.js';
import { StoreMissingError, type FolderPage, type LogStore } from './log-store.js';
import { formatS3Location } from './location.js';
import { metadataOf, nameOf, s3Error } from './s3-error.js';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix without leading or trailing "/" ("" for the bucket root). */
  prefix: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  profile?: string;
  /** Static credentials (taken from the injected environment); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxKeys: number;
}

/**
 * An S3 bucket read with ListObjectsV2 (Delimiter "/") and streaming GetObject. The SDK retries
 * throttling and 5xx itself; its attempt counts ($metadata.attempts) go into the window's stats.
 */
export function createS3Store(opts: S3StoreOptions): LogStore {
  const config: S3ClientConfig = {
    region: opts.region,
    maxAttempts: 5,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.forcePathStyle !== undefined ? { forcePathStyle: opts.forcePathStyle } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    // S3-compatible servers do not all compute the CRC checksums newer SDKs ask for by default.
    ...(opts.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
  };
  const client = new S3Client(config);
  const full = (key: string) => (opts.prefix ? `${opts.prefix}/${key}` : key);
  const relative = (key: string) => (opts.prefix && key.startsWith(`${opts.prefix}/`) ? key.slice(opts.prefix.length + 1) : key);
  const where = formatS3Location(opts.bucket, opts.prefix);
  /** Set once the server has grouped deep keys into CommonPrefixes (AWS S3 always does). */
  let groupsDeepKeys = false;

  const list = async (input: Omit<ListObjectsV2CommandInput, 'Bucket'>, prefix: string, rec: AttemptRecorder, signal: AbortSignal) => {
    try {
      const out = await client.send(new ListObjectsV2Command({ Bucket: opts.bucket, ...input }), { abortSignal: signal });
      countAttempts(rec, out);
      return out;
    } catch (e) {
      countAttempts(rec, e);
      throw s3Error(e, `listing ${where}/${prefix}`);
    }
  };

  /**
   * One folder level without Delimiter, for servers that do not group deep keys: lists keys in
   * order and, at each sub-folder met, jumps past all its keys with StartAfter.
   */
  async function* scanFolder(prefix: string, rec: AttemptRecorder, signal: AbortSignal): AsyncGenerator<FolderPage> {
    const base = full(prefix);
    let startAfter: string | undefined;
    let token: string | undefined;
    for (;;) {
      const out = await list(
        { Prefix: base, MaxKeys: opts.maxKeys, ...(token ? { ContinuationToken: token } : startAfter ? { StartAfter: startAfter } : {}) },
        prefix,
        rec,
        signal,
      );
      const page: FolderPage = { files: [], folders: [] };
      let jump: string | undefined;
      for (const o of out.Contents ?? []) {
        if (!o.Key) continue;
        const rest = o.Key.slice(base.length);
        const slash = rest.indexOf('/');
        if (slash < 0) {
          page.files.push({ key: relative(o.Key), size: o.Size });
          continue;
        }
        const folder = base + rest.slice(0, slash + 1);
        page.folders.push(relative(folder));
        // U+FFFF sorts after every character a key in this layout uses.
        jump = `${folder}\uFFFF`;
        break;
      }
      yield page;
      if (jump) {
        startAfter = jump;
        token = undefined;
        continue;
      }
      if (!out.IsTruncated || !out.NextContinuationToken) return;
      token = out.NextContinuationToken;
    }
  }

  return {
    describe: where,
    kind: 's3',
    async *listFolder(prefix, rec, signal) {
      let token: string | undefined;
      let sawAnything = false;
      do {
        const out = await list({ Prefix: full(prefix), Delimiter: '/', MaxKeys: opts.maxKeys, ContinuationToken: token }, prefix, rec, signal);
        const page: FolderPage = {
          files: (out.Contents ?? []).flatMap((o) => (o.Key ? [{ key: relative(o.Key), size: o.Size }] : [])),
          folders: (out.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [relative(p.Prefix)] : [])),
        };
        if (page.folders.length > 0) groupsDeepKeys = true;
        if (page.folders.length > 0 || page.files.length > 0) sawAnything = true;
        yield page;
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
      if (sawAnything || groupsDeepKeys) return;
      // Nothing at this level: truly empty, or a server that reports a common prefix only when an
      // object sits directly below it (s3rver 3.7 does; AWS S3 groups keys of any depth). A
      // one-key probe tells them apart; CloudTrail's account and region levels hold only folders.
      const probe = await list({ Prefix: full(prefix), MaxKeys: 1 }, prefix, rec, signal);
      if ((probe.Contents ?? []).length > 0) yield* scanFolder(prefix, rec, signal);
    },
    async open(key, rec, signal) {
      let out;
      try {
        out = await client.send(new GetObjectCommand({ Bucket: opts.bucket, Key: full(key) }), { abortSignal: signal });
      } catch (e) {
        countAttempts(rec, e);
        if (isMissing(e)) throw new StoreMissingError(key);
        throw s3Error(e, `reading ${where}/${key}`);
      }
      countAttempts(rec, out);
      const body = out.Body;
      if (body instanceof Readable) return { body, size: out.ContentLength };
      if (body && typeof body === 'object' && 'transformToByteArray' in body && typeof body.transformToByteArray === 'function') {
        const bytes = (await body.transformToByteArray()) as Uint8Array;
        return { body: Readable.from([Buffer.from(bytes)]), size: bytes.length };
      }
      return { body: Readable.from([]), size: 0 };
    },
    async metadata(key, rec, signal) {
      let out;
      try {
        out = await client.send(new HeadObjectCommand({ Bucket: opts.bucket, Key: full(key) }), { abortSignal: signal });
      } catch (e) {
        countAttempts(rec, e);
        if (isMissing(e)) throw new StoreMissingError(key);
        throw s3Error(e, `reading the metadata of ${where}/${key}`);
      }
      countAttempts(rec, out);
      const meta: Record<string, string> = {};
      for (const [k, v] of Object.entries(out.Metadata ?? {})) meta[k.toLowerCase()] = v;
      return meta;
    },
    async close() {
      client.destroy();
    },
  };
}

function countAttempts(rec: AttemptRecorder, v: unknown): void {
  const attempts = metadataOf(v).attempts ?? 1;
  rec.attempts += attempts;
  rec.retries += Math.max(0, attempts - 1);
}

function isMissing(e: unknown): boolean {
  return nameOf(e) === 'NoSuchKey' || nameOf(e) === 'NotFound' || metadataOf(e).httpStatusCode === 404;
}
