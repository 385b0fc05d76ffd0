import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { METADATA_SIDECAR_SUFFIX } from '../../sources/cloudtrail-files/local-store.js';

/**
 * Uploads a log folder to a bucket as a trail would have written it: every file under `prefix`,
 * digest signatures as object metadata (x-amz-meta-signature, x-amz-meta-signature-algorithm)
 * taken from their `.metadata.json` sidecars, which are not uploaded themselves.
 */
export async function uploadLogFolder(dir: string, to: { client: S3Client; bucket: string; prefix?: string }): Promise<number> {
  let uploaded = 0;
  for (const path of walk(dir)) {
    if (path.endsWith(METADATA_SIDECAR_SUFFIX)) continue;
    const rel = relative(dir, path).split(sep).join('/');
    const sidecar = path + METADATA_SIDECAR_SUFFIX;
    const metadata = existsSync(sidecar) ? (JSON.parse(readFileSync(sidecar, 'utf8')) as Record<string, string>) : undefined;
    await to.client.send(
      new PutObjectCommand({
        Bucket: to.bucket,
        Key: to.prefix ? `${to.prefix}/${rel}` : rel,
        Body: readFileSync(path),
        ContentType: 'application/json',
        ...(metadata ? { Metadata: metadata } : {}),
      }),
    );
    uploaded++;
  }
  return uploaded;
}

function* walk(dir: string): Generator<string> {
  for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, d.name);
    if (d.isDirectory()) yield* walk(p);
    else if (d.isFile()) yield p;
  }
}
