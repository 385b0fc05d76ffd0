import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export const MANIFEST_FILE = 'manifest.json';
/**
 * The SHA-256 of manifest.json, in `sha256sum` format (`sha256sum -c manifest.sha256` checks it):
 * the manifest cannot list its own hash, and without this a changed byte in it (its status, its
 * parameters) would go unnoticed by verify.
 */
export const MANIFEST_SEAL_FILE = 'manifest.sha256';

/** Files of a pack that the manifest does not list: itself and its seal. */
export const MANIFEST_FILES: readonly string[] = [MANIFEST_FILE, MANIFEST_SEAL_FILE];

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
  files: ManifestFile[];
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every file below `dir`, as forward-slash relative paths, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
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
