import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditpackError } from '../errors.js';
import { listFiles, MANIFEST_FILE, sha256File, type Manifest } from './manifest.js';

export interface VerifyResult {
  ok: boolean;
  status: Manifest['status'];
  checked: number;
  mismatched: string[];
  missing: string[];
  extra: string[];
  manifest: Manifest;
}

/** Re-hashes every file against the manifest: the check an auditor runs on a pack handed to them. */
export async function verifyPack(dir: string): Promise<VerifyResult> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch (cause) {
    throw new AuditpackError('PACK_INVALID', `${dir} has no readable ${MANIFEST_FILE}`, {
      cause,
      hint: 'give the folder of an evidence pack written by auditpack run or demo',
    });
  }
  if (manifest.manifestVersion !== 1 || !Array.isArray(manifest.files)) {
    throw new AuditpackError('PACK_INVALID', `${join(dir, MANIFEST_FILE)} is not an auditpack manifest (version 1)`);
  }
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  const present = new Set((await listFiles(dir)).filter((p) => p !== MANIFEST_FILE));
  const mismatched: string[] = [];
  const missing: string[] = [];
  for (const f of manifest.files) {
    if (!present.has(f.path)) {
      missing.push(f.path);
      continue;
    }
    if ((await sha256File(join(dir, f.path))) !== f.sha256) mismatched.push(f.path);
  }
  const extra = [...present].filter((p) => !listed.has(p));
  return {
    ok: mismatched.length === 0 && missing.length === 0 && extra.length === 0,
    status: manifest.status,
    checked: manifest.files.length,
    mismatched,
    missing,
    extra,
    manifest,
  };
}
