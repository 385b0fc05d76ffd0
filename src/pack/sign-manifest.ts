import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AuditpackError } from '../errors.js';
import { MANIFEST_SIGNATURE } from './manifest.js';

/** The detached signature of manifest.json (binary: DER for ECDSA, 64 raw bytes for Ed25519), checked by `openssl` as is. */
export const MANIFEST_SIGNATURE_FILE = MANIFEST_SIGNATURE;

export type SignatureAlgorithm = 'Ed25519' | 'ECDSA P-256 SHA-256';

/** What the manifest and the PDF cover say about the key that signs the pack. */
export interface SignerInfo {
  algorithm: SignatureAlgorithm;
  /** `sha256:<hex>` of the public key's DER (SubjectPublicKeyInfo): `openssl pkey -pubin -outform DER | sha256sum`. */
  keyFingerprint: string;
}

export interface SigningKey extends SignerInfo {
  sign(data: Buffer): Buffer;
}

/**
 * A PEM private key for signing packs: Ed25519, or ECDSA on P-256 (prime256v1) with SHA-256.
 * Anything else is refused before the run starts, with what to do instead.
 */
export async function loadSigningKey(path: string): Promise<SigningKey> {
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch (cause) {
    throw new AuditpackError('USAGE', `cannot read the signing key ${path}`, { cause, hint: 'give --sign-key a PEM private key file' });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (cause) {
    throw new AuditpackError('USAGE', `${path} is not a PEM private key (or it is encrypted)`, {
      cause,
      hint: 'make one with: openssl genpkey -algorithm ed25519 -out signing.pem (an unencrypted PEM key)',
    });
  }
  const algorithm = algorithmOf(key, path);
  const info: SignerInfo = { algorithm, keyFingerprint: keyFingerprint(createPublicKey(key)) };
  return { ...info, sign: (data) => sign(algorithm === 'Ed25519' ? null : 'sha256', data, key) };
}

/** Checks a signature of `data` with a PEM public key (a private key is accepted too: its public half is used). */
export async function verifySignature(
  publicKeyPath: string,
  data: Buffer,
  signature: Buffer,
): Promise<{ valid: boolean } & SignerInfo> {
  let key: KeyObject;
  try {
    key = createPublicKey(await readFile(publicKeyPath));
  } catch (cause) {
    throw new AuditpackError('USAGE', `${publicKeyPath} is not a readable PEM public key`, {
      cause,
      hint: 'export it from the signing key with: openssl pkey -in signing.pem -pubout -out public.pem',
    });
  }
  const algorithm = algorithmOf(key, publicKeyPath);
  let valid: boolean;
  try {
    valid = verify(algorithm === 'Ed25519' ? null : 'sha256', data, key, signature);
  } catch {
    valid = false;
  }
  return { valid, algorithm, keyFingerprint: keyFingerprint(key) };
}

export function keyFingerprint(publicKey: KeyObject): string {
  return `sha256:${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

/** The command that checks manifest.sig with OpenSSL alone (OpenSSL 3: Ed25519 needs -rawin). */
export function opensslVerifyCommand(algorithm: SignatureAlgorithm, publicKey = 'public.pem'): string {
  return algorithm === 'Ed25519'
    ? `openssl pkeyutl -verify -pubin -inkey ${publicKey} -rawin -in manifest.json -sigfile ${MANIFEST_SIGNATURE_FILE}`
    : `openssl dgst -sha256 -verify ${publicKey} -signature ${MANIFEST_SIGNATURE_FILE} manifest.json`;
}

function algorithmOf(key: KeyObject, path: string): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ECDSA P-256 SHA-256';
  const what = key.asymmetricKeyType === 'ec' ? `an EC key on ${key.asymmetricKeyDetails?.namedCurve ?? 'another curve'}` : `a ${key.asymmetricKeyType ?? 'symmetric'} key`;
  throw new AuditpackError('USAGE', `${path} is ${what}; packs are signed with Ed25519 or ECDSA P-256 keys`, {
    hint: 'make one with: openssl genpkey -algorithm ed25519 -out signing.pem (or -algorithm EC -pkeyopt ec_paramgen_curve:P-256)',
  });
}
