import { createLocalStore } from '../../sources/cloudtrail-files/local-store.js';
import { emptyStats } from '../../model/coverage.js';
import type { EmuRequest, EmuResponse } from '../kit/server.js';
import type { ObjectStore } from './object-store.js';

const XML = { 'content-type': 'application/xml' };

function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function s3Error(status: number, code: string, message: string): EmuResponse {
  return { status, headers: XML, body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlText(message)}</Message></Error>` };
}

/**
 * The buckets the Athena emulator reads, served read-only over the S3 REST API (path style:
 * `GET /<bucket>?list-type=2`, `GET|HEAD /<bucket>/<key>`), so auditpack's own S3 reads of the same
 * trail (the digest files it validates) need no second server in `auditpack demo --engine athena`.
 * ListObjectsV2 with prefix, delimiter, max-keys and continuation tokens
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html); object metadata from the
 * folder's `<key>.metadata.json` sidecars, as `x-amz-meta-*` headers
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html). Null: not an S3 request.
 */
export async function answerS3Read(req: EmuRequest, store: ObjectStore, folders: Readonly<Record<string, string>>): Promise<EmuResponse | null> {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path === '/') return null;
  const [bucket, ...rest] = req.path.slice(1).split('/');
  const key = decodeURIComponent(rest.join('/'));
  try {
    if (!key) return await listObjects(store, bucket, req.query);
    const body = await store.get(bucket, key);
    const meta = folders[bucket] ? await createLocalStore(folders[bucket]).metadata(key, emptyStats(), new AbortController().signal) : {};
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-length': String(body.length), etag: `"${body.length}"` };
    for (const [k, v] of Object.entries(meta)) headers[`x-amz-meta-${k.toLowerCase()}`] = v;
    return { status: 200, headers, body: req.method === 'HEAD' ? '' : body };
  } catch (e) {
    const name = (e as { name?: string; code?: string }).name;
    if (name === 'NoSuchBucket') return s3Error(404, 'NoSuchBucket', `The specified bucket does not exist: ${bucket}`);
    if ((e as { code?: string }).code === 'ENOENT' || (e as { code?: string }).code === 'EISDIR') return s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
    return s3Error(500, 'InternalError', e instanceof Error ? e.message : String(e));
  }
}

async function listObjects(store: ObjectStore, bucket: string, q: URLSearchParams): Promise<EmuResponse> {
  if (q.get('list-type') !== '2') return s3Error(400, 'InvalidArgument', 'only ListObjectsV2 (list-type=2) is served');
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = Math.max(1, Math.min(1000, Number(q.get('max-keys') ?? 1000) || 1000));
  const token = q.get('continuation-token');
  const after = token ? Buffer.from(token, 'base64').toString('utf8') : (q.get('start-after') ?? '');
  const entries: { key: string; size: number; prefix: boolean }[] = [];
  const seenPrefixes = new Set<string>();
  for (const o of await store.list(bucket, prefix)) {
    const cut = delimiter ? o.key.indexOf(delimiter, prefix.length) : -1;
    if (cut >= 0) {
      const p = o.key.slice(0, cut + delimiter.length);
      if (!seenPrefixes.has(p)) {
        seenPrefixes.add(p);
        entries.push({ key: p, size: 0, prefix: true });
      }
    } else entries.push({ key: o.key, size: o.size, prefix: false });
  }
  const pending = entries.filter((e) => e.key > after);
  const page = pending.slice(0, maxKeys);
  const truncated = pending.length > page.length;
  const body = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    `<Name>${xmlText(bucket)}</Name><Prefix>${xmlText(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>`,
    delimiter ? `<Delimiter>${xmlText(delimiter)}</Delimiter>` : '',
    `<IsTruncated>${truncated}</IsTruncated>`,
    truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1].key).toString('base64')}</NextContinuationToken>` : '',
    ...page.map((e) =>
      e.prefix
        ? `<CommonPrefixes><Prefix>${xmlText(e.key)}</Prefix></CommonPrefixes>`
        : `<Contents><Key>${xmlText(e.key)}</Key><Size>${e.size}</Size><ETag>&quot;${e.size}&quot;</ETag><StorageClass>STANDARD</StorageClass><LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents>`,
    ),
    '</ListBucketResult>',
  ].join('');
  return { status: 200, headers: XML, body };
}
