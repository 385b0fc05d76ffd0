import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { join, resolve } from 'node:path';
import { AuditpackError } from '../../errors.js';
import { isObject } from '../cloudtrail-common/values.js';
import { StoreMissingError, type FolderPage, type LogStore } from './log-store.js';

/**
 * Where a local copy keeps what S3 held as object metadata. `aws s3 sync` copies bodies only, so
 * a digest's signature (x-amz-meta-signature) must be saved beside it as `<digest>.metadata.json`:
 * either `{"signature": "…", "signature-algorithm": "SHA256withRSA"}` or the output of
 * `aws s3api head-object --bucket B --key K` (whose `Metadata` object holds the same two keys).
 */
export const METADATA_SIDECAR_SUFFIX = '.metadata.json';

/** A folder laid out as `aws s3 sync s3://bucket/prefix <folder>` leaves it. */
export function createLocalStore(folder: string): LogStore {
  const root = resolve(folder);
  const path = (key: string) => join(root, ...key.split('/').filter(Boolean));
  return {
    describe: root,
    kind: 'local',
    async *listFolder(prefix) {
      let entries;
      try {
        entries = await readdir(path(prefix), { withFileTypes: true });
      } catch (e) {
        if ((errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') && !existsSync(root)) {
          throw new AuditpackError('SOURCE_NOT_FOUND', `the folder ${root} does not exist`, { hint: 'check location' });
        }
        if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return;
        throw fsError(e, prefix);
      }
      const page: FolderPage = { files: [], folders: [] };
      for (const d of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (d.isDirectory()) page.folders.push(`${prefix}${d.name}/`);
        else if (d.isFile()) page.files.push({ key: `${prefix}${d.name}` });
      }
      yield page;
    },
    async open(key, _rec, signal) {
      try {
        // One read of the whole (compressed) file: log files are small, and the reader wants all of it.
        const bytes = await readFile(path(key), { signal });
        return { body: Readable.from([bytes]), size: bytes.length };
      } catch (e) {
        if (errno(e) === 'ENOENT') throw new StoreMissingError(key);
        throw fsError(e, key);
      }
    },
    async metadata(key) {
      let text: string;
      try {
        text = await readFile(path(key) + METADATA_SIDECAR_SUFFIX, 'utf8');
      } catch (e) {
        if (errno(e) === 'ENOENT') return {};
        throw fsError(e, key + METADATA_SIDECAR_SUFFIX);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return {};
      }
      const source = isObject(parsed) && isObject(parsed.Metadata) ? parsed.Metadata : parsed;
      const out: Record<string, string> = {};
      if (isObject(source)) for (const [k, v] of Object.entries(source)) if (typeof v === 'string') out[k.toLowerCase()] = v;
      return out;
    },
    async close() {},
  };
}

function errno(e: unknown): string | undefined {
  return e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

function fsError(e: unknown, what: string): AuditpackError {
  if (errno(e) === 'EACCES' || errno(e) === 'EPERM') {
    return new AuditpackError('AUTH_REFUSED', `cannot read ${what}: permission denied`, { cause: e, hint: 'check the folder permissions' });
  }
  return new AuditpackError('DATA_INVALID', `cannot read ${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
