import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditpackError } from '../errors.js';
import { listFiles, MANIFEST_FILE, MANIFEST_FILES, MANIFEST_SEAL_FILE, manifestSeal, sha256File, type Manifest } from './manifest.js';

export interface VerifyResult {
  ok: boolean;
  status: Manifest['status'];
  checked: number;
  mismatched: string[];
  missing: string[];
  extra: string[];
  manifest: Manifest;
  /** SHA-256 of manifest.json: recorded elsewhere (a ticket, the audit file), it pins the whole pack. */
  manifestSha256: string;
}

/**
 * Re-hashes every file against the manifest, and the manifest against its seal: the check an
 * auditor runs on a pack handed to them.
 */
export async function verifyPack(dir: string): Promise<VerifyResult> {
  let manifestBytes: Buffer;
  try {
    manifestBytes = await readFile(join(dir, MANIFEST_FILE));
  } catch (cause) {
    throw new AuditpackError('PACK_INVALID', `${dir} has no readable ${MANIFEST_FILE}`, {
      cause,
      hint: 'give the folder of an evidence pack written by auditpack run or demo',
    });
  }
  const manifestSha256 = createHash('sha256').update(manifestBytes).digest('hex');
  const manifest = parseManifest(manifestBytes);
  if (!manifest) {
    // A sealed manifest that no longer parses was altered; without a seal this is no pack at all.
    if (existsSync(join(dir, MANIFEST_SEAL_FILE))) {
      throw new AuditpackError('VERIFY_FAILED', `${join(dir, MANIFEST_FILE)} was altered: it is no longer a valid manifest and does not match ${MANIFEST_SEAL_FILE}`, {
        hint: 'the pack cannot be trusted; ask for the pack again',
      });
    }
    throw new AuditpackError('PACK_INVALID', `${join(dir, MANIFEST_FILE)} is not an auditpack manifest (version 1)`, {
      hint: 'give the folder of an evidence pack written by auditpack run or demo',
    });
  }
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  const all = await listFiles(dir);
  const present = new Set(all.filter((p) => !MANIFEST_FILES.includes(p)));
  const mismatched: string[] = [];
  const missing: string[] = [];
  if (!all.includes(MANIFEST_SEAL_FILE)) missing.push(MANIFEST_SEAL_FILE);
  else {
    const seal = await readFile(join(dir, MANIFEST_SEAL_FILE), 'utf8');
    // A well-formed seal with another hash: the manifest was edited (or the seal's hash was).
    if (seal !== manifestSeal(manifestSha256)) mismatched.push(/^[0-9a-f]{64} {2}manifest\.json\n$/.test(seal) ? MANIFEST_FILE : MANIFEST_SEAL_FILE);
  }
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
    manifestSha256,
  };
}

function parseManifest(bytes: Buffer): Manifest | null {
  try {
    const m = JSON.parse(bytes.toString('utf8')) as Manifest;
    return typeof m === 'object' && m !== null && m.manifestVersion === 1 && Array.isArray(m.files) ? m : null;
  } catch {
    return null;
  }
}
