import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AuditpackError } from '../errors.js';
import { listPack, MANIFEST_FILE, MANIFEST_FILES, MANIFEST_SEAL_FILE, MANIFEST_SIGNATURE, manifestSeal, openRegularFile, sha256RegularFile, type Manifest, type SpecialKind } from './manifest.js';
import { verifySignature } from './sign-manifest.js';

/** What verify found about manifest.sig. */
export interface SignatureCheck {
  /** manifest.sig is in the pack. */
  present: boolean;
  /** Checked against the --key public key. */
  checked: boolean;
  valid: boolean;
  /** Fingerprint of the key given with --key (what the signature was checked against). */
  keyFingerprint: string | null;
  /** Fingerprint the manifest says signed it. */
  statedFingerprint: string | null;
  problem: string | null;
}

export interface VerifyOptions {
  /** A PEM public key: the signature must be present and valid. */
  key?: string;
}

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
  signature: SignatureCheck;
}

/**
 * Re-hashes every file against the manifest, and the manifest against its seal: the check an
 * auditor runs on a pack handed to them.
 */
export async function verifyPack(dir: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
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
  const signature = await checkSignature(dir, all.includes(MANIFEST_SIGNATURE), manifestBytes, manifest, opts.key);
  return {
    ok: mismatched.length === 0 && missing.length === 0 && extra.length === 0 && listing.special.length === 0 && inconsistent.length === 0 && (!signature.checked || signature.valid),
    status: manifest.status,
    checked: manifest.files.length,
    mismatched,
    missing,
    extra,
    refused: listing.special,
    inconsistent,
    manifest,
    manifestSha256,
    signature,
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

async function checkSignature(dir: string, present: boolean, manifestBytes: Buffer, manifest: Manifest, key: string | undefined): Promise<SignatureCheck> {
  const statedFingerprint = manifest.signature?.keyFingerprint ?? null;
  const base = { present, checked: false, valid: false, keyFingerprint: null, statedFingerprint, problem: null };
  if (!key) return base;
  if (!present) return { ...base, checked: true, problem: `the pack has no ${MANIFEST_SIGNATURE}: it was not signed` };
  const r = await verifySignature(key, manifestBytes, await readRegularFile(join(dir, MANIFEST_SIGNATURE)));
  const problem = r.valid ? null : `${MANIFEST_SIGNATURE} does not match ${MANIFEST_FILE} under the key ${r.keyFingerprint}: the manifest was altered or signed with another key`;
  return { ...base, checked: true, valid: r.valid, keyFingerprint: r.keyFingerprint, problem };
}

function parseManifest(bytes: Buffer): Manifest | null {
  try {
    const m = JSON.parse(bytes.toString('utf8')) as Manifest;
    return typeof m === 'object' && m !== null && m.manifestVersion === 1 && Array.isArray(m.files) ? m : null;
  } catch {
    return null;
  }
}
