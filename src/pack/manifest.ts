import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { lstat, open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { AuditpackError } from '../errors.js';
import { join, relative, sep } from 'node:path';

export const MANIFEST_FILE = 'manifest.json';
/**
 * The SHA-256 of manifest.json, in `sha256sum` format (`sha256sum -c manifest.sha256` checks it):
 * the manifest cannot list its own hash, and without this a changed byte in it (its status, its
 * parameters) would go unnoticed by verify.
 */
export const MANIFEST_SEAL_FILE = 'manifest.sha256';

/** The detached signature of manifest.json, with --sign-key (see sign-manifest.ts). */
export const MANIFEST_SIGNATURE = 'manifest.sig';

/** Files of a pack that the manifest does not list: itself, its seal and its signature. */
export const MANIFEST_FILES: readonly string[] = [MANIFEST_FILE, MANIFEST_SEAL_FILE, MANIFEST_SIGNATURE];

export function manifestSeal(manifestSha256: string): string {
  return `${manifestSha256}  ${MANIFEST_FILE}\n`;
}

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
  /** For zip containers (XLSX): sha-256 over the unzipped parts in name order, stable across zip entry times. */
  contentSha256?: string;
}

export interface Manifest {
  manifestVersion: 1;
  tool: { name: 'auditpack'; version: string };
  packId: string;
  status: 'COMPLETE' | 'INCOMPLETE';
  incompleteReasons: string[];
  command: string;
  parameters: Record<string, unknown>;
  generatedAt: string;
  /** How the samples were drawn (docs/sampling.md); absent when the template draws none. */
  sampling?: { method: 'v1' | 'v2'; seed: string; seedSource: 'given' | 'default' };
  /** With --sign-key: the key that signed manifest.json into manifest.sig (bound by the signature itself). */
  signature?: { file: string; algorithm: string; keyFingerprint: string };
  files: ManifestFile[];
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Opens a regular file without following a symbolic link (O_NOFOLLOW) and without blocking on a
 * FIFO or a device (O_NONBLOCK), then checks what was opened (fstat), so a file swapped after
 * the folder was listed is still caught. Null when it is not a regular file.
 */
export async function openRegularFile(path: string): Promise<FileHandle | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') return null; // a symbolic link
    throw e;
  }
  if ((await fh.stat()).isFile()) return fh;
  await fh.close();
  return null;
}

/** SHA-256 of a regular file, read without following links; null for anything else. */
export async function sha256RegularFile(path: string): Promise<string | null> {
  const fh = await openRegularFile(path);
  if (!fh) return null;
  try {
    const hash = createHash('sha256');
    for await (const chunk of fh.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}

/** What a folder entry is, when it is not a regular file or a folder. */
export type SpecialKind = 'symbolic link' | 'FIFO' | 'socket' | 'device';

export interface PackListing {
  /** Regular files, as forward-slash relative paths, sorted. */
  files: string[];
  /** Entries that are neither: never opened, never followed. */
  special: { path: string; kind: SpecialKind }[];
}

/** Every entry below `dir` without following symbolic links (a link to a folder is not entered). */
export async function listPack(dir: string): Promise<PackListing> {
  const files: string[] = [];
  const special: PackListing['special'] = [];
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      const rel = relative(dir, p).split(sep).join('/');
      const kind = entry.isFile() || entry.isDirectory() || entry.isSymbolicLink() || entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice() ? entry : await lstat(p);
      if (kind.isDirectory()) await walk(p);
      else if (kind.isFile()) files.push(rel);
      else special.push({ path: rel, kind: kind.isSymbolicLink() ? 'symbolic link' : kind.isFIFO() ? 'FIFO' : kind.isSocket() ? 'socket' : 'device' });
    }
  };
  await walk(dir);
  return { files: files.sort(), special: special.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

/** Every file below `dir`, as forward-slash relative paths, sorted; anything but files and folders is refused. */
export async function listFiles(dir: string): Promise<string[]> {
  const { files, special } = await listPack(dir);
  if (special.length > 0) throw new AuditpackError('PACK_INVALID', `${join(dir, special[0].path)} is a ${special[0].kind}: a pack holds only files and folders`);
  return files;
}

export async function hashPackFiles(
  dir: string,
  contentDigest: (path: string) => Promise<string | undefined>,
): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const rel of await listFiles(dir)) {
    if (MANIFEST_FILES.includes(rel)) continue;
    const abs = join(dir, rel);
    const digest = await contentDigest(abs);
    files.push({ path: rel, bytes: (await stat(abs)).size, sha256: await sha256File(abs), ...(digest ? { contentSha256: digest } : {}) });
  }
  return files;
}
