import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AuditpackError } from '../errors.js';
import { listPack, MANIFEST_FILE, MANIFEST_FILES, MANIFEST_SEAL_FILE, manifestSeal, openRegularFile, sha256RegularFile, type Manifest, type SpecialKind } from './manifest.js';

export interface VerifyResult {
  ok: boolean;
  status: Manifest['status'];
  checked: number;
  mismatched: string[];
  missing: string[];
  extra: string[];
  /** Entries that are not regular files (symbolic links, FIFOs, sockets, devices): never opened nor followed. */
  refused: { path: string; kind: SpecialKind }[];
  /** Files that contradict the manifest: summary.json or coverage.json saying another status. */
  inconsistent: string[];
  manifest: Manifest;
  /** SHA-256 of manifest.json: recorded elsewhere (a ticket, the audit file), it pins the whole pack. */
  manifestSha256: string;
}

/**
 * Re-hashes every file against the manifest, and the manifest against its seal: the check an
 * auditor runs on a pack handed to them.
 */
export async function verifyPack(dir: string): Promise<VerifyResult> {
  const listing = await listPack(dir).catch((cause: unknown) => {
    throw new AuditpackError('PACK_INVALID', `${dir} is not a folder auditpack can read`, { cause, hint: 'give the folder of an evidence pack written by auditpack run or demo' });
  });
  const refusedManifest = listing.special.find((s) => MANIFEST_FILES.includes(s.path));
  if (refusedManifest) {
    throw new AuditpackError('VERIFY_FAILED', `${join(dir, refusedManifest.path)} is a ${refusedManifest.kind}, not a file: refused`, { hint: 'the pack cannot be trusted; ask for the pack again' });
  }
  let manifestBytes: Buffer;
  try {
    manifestBytes = await readRegularFile(join(dir, MANIFEST_FILE));
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
    if (listing.files.includes(MANIFEST_SEAL_FILE)) {
      throw new AuditpackError('VERIFY_FAILED', `${join(dir, MANIFEST_FILE)} was altered: it is no longer a valid manifest and does not match ${MANIFEST_SEAL_FILE}`, {
        hint: 'the pack cannot be trusted; ask for the pack again',
      });
    }
    throw new AuditpackError('PACK_INVALID', `${join(dir, MANIFEST_FILE)} is not an auditpack manifest (version 1)`, {
      hint: 'give the folder of an evidence pack written by auditpack run or demo',
    });
  }
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  const all = listing.files;
  const present = new Set(all.filter((p) => !MANIFEST_FILES.includes(p)));
  const mismatched: string[] = [];
  const missing: string[] = [];
  if (!all.includes(MANIFEST_SEAL_FILE)) missing.push(MANIFEST_SEAL_FILE);
  else {
    const seal = (await readRegularFile(join(dir, MANIFEST_SEAL_FILE))).toString('utf8');
    // A well-formed seal with another hash: the manifest was edited (or the seal's hash was).
    if (seal !== manifestSeal(manifestSha256)) mismatched.push(/^[0-9a-f]{64} {2}manifest\.json\n$/.test(seal) ? MANIFEST_FILE : MANIFEST_SEAL_FILE);
  }
  const refusedPaths = new Set(listing.special.map((s) => s.path));
  for (const f of manifest.files) {
    if (!present.has(f.path)) {
      // A listed file replaced by a link or a FIFO is reported as refused, not as missing.
      if (!refusedPaths.has(f.path)) missing.push(f.path);
      continue;
    }
    if ((await sha256RegularFile(join(dir, f.path))) !== f.sha256) mismatched.push(f.path);
  }
  const extra = [...present].filter((p) => !listed.has(p));
  const inconsistent = mismatched.length === 0 ? await statusContradictions(dir, manifest, present) : [];
  return {
    ok: mismatched.length === 0 && missing.length === 0 && extra.length === 0 && listing.special.length === 0 && inconsistent.length === 0,
    status: manifest.status,
    checked: manifest.files.length,
    mismatched,
    missing,
    extra,
    refused: listing.special,
    inconsistent,
    manifest,
    manifestSha256,
  };
}

/**
 * The status every part of the pack states must be the manifest's: an INCOMPLETE pack re-sealed
 * as COMPLETE (manifest edited, manifest.sha256 recomputed) still says INCOMPLETE in summary.json
 * and coverage.json, whose hashes the edited manifest still lists. (Re-hashing those too is caught
 * only by the manifest's hash or signature recorded outside the pack: see the README.)
 */
async function statusContradictions(dir: string, manifest: Manifest, present: ReadonlySet<string>): Promise<string[]> {
  const says = manifest.status;
  const out: string[] = [];
  if (says === 'COMPLETE' && manifest.incompleteReasons.length > 0) out.push(`${MANIFEST_FILE} says COMPLETE but lists ${manifest.incompleteReasons.length} reason(s) it is incomplete`);
  for (const file of ['summary.json', 'coverage.json']) {
    if (!present.has(file)) continue;
    let complete: unknown;
    try {
      complete = (JSON.parse((await readRegularFile(join(dir, file))).toString('utf8')) as { complete?: unknown }).complete;
    } catch {
      out.push(`${file} is not valid JSON`);
      continue;
    }
    const status = complete === true ? 'COMPLETE' : complete === false ? 'INCOMPLETE' : null;
    if (status !== says) out.push(`${file} says ${status ?? 'nothing about completeness'} but ${MANIFEST_FILE} says ${says}`);
  }
  return out;
}

async function readRegularFile(path: string): Promise<Buffer> {
  const fh = await openRegularFile(path);
  if (!fh) throw new AuditpackError('VERIFY_FAILED', `${path} is not a regular file: refused`);
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

function parseManifest(bytes: Buffer): Manifest | null {
  try {
    const m = JSON.parse(bytes.toString('utf8')) as Manifest;
    return typeof m === 'object' && m !== null && m.manifestVersion === 1 && Array.isArray(m.files) ? m : null;
  } catch {
    return null;
  }
}
