import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { METADATA_SIDECAR_SUFFIX } from '../../sources/cloudtrail-files/local-store.js';
import type { ListedObject } from './projection.js';

/** Where the emulator reads table data: the same objects the S3 emulator (or a trail folder) serves. */
export interface ObjectStore {
  /** Every object under the prefix, any depth, in key order. */
  list(bucket: string, prefix: string): Promise<ListedObject[]>;
  get(bucket: string, key: string): Promise<Buffer>;
  close(): void;
}

export interface S3ObjectStoreOptions {
  endpoint: string;
  region?: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle?: boolean;
}

/** An S3-compatible server (s3rver in tests), read with ListObjectsV2 and GetObject. */
export function s3ObjectStore(opts: S3ObjectStoreOptions): ObjectStore {
  const client = new S3Client({
    region: opts.region ?? 'us-east-1',
    endpoint: opts.endpoint,
    forcePathStyle: opts.forcePathStyle ?? true,
    credentials: opts.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    async list(bucket, prefix) {
      const out: ListedObject[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) {
          if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0, etag: (o.ETag ?? '').replace(/"/g, '') });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async get(bucket, key) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    },
    close: () => client.destroy(),
  };
}

/**
 * Local folders standing in for buckets (`auditpack demo`, benchmarks): `folders[bucket]` holds
 * what `aws s3 sync s3://bucket <folder>` would leave. ETags are content hashes.
 */
export function folderObjectStore(folders: Record<string, string>): ObjectStore {
  const root = (bucket: string): string => {
    const dir = folders[bucket];
    if (!dir) throw Object.assign(new Error(`The specified bucket does not exist: ${bucket}`), { name: 'NoSuchBucket' });
    return dir;
  };
  return {
    async list(bucket, prefix) {
      const dir = root(bucket);
      const out: ListedObject[] = [];
      for (const path of await walk(dir)) {
        const key = relative(dir, path).split(sep).join('/');
        if (!key.startsWith(prefix) || key.endsWith(METADATA_SIDECAR_SUFFIX)) continue;
        const s = await stat(path);
        out.push({ key, size: s.size, etag: `${s.size}-${s.mtimeMs}` });
      }
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async get(bucket, key) {
      return readFile(join(root(bucket), ...key.split('/')));
    },
    close: () => undefined,
  };
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const d of entries) {
    const p = join(dir, d.name);
    if (d.isDirectory()) out.push(...(await walk(p)));
    else if (d.isFile()) out.push(p);
  }
  return out;
}
