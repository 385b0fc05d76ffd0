import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CloudTrailClient, CloudTrailClientConfig } from '@aws-sdk/client-cloudtrail';
import { AuditpackError } from '../../errors.js';
import { isObject } from '../cloudtrail-common/values.js';

/** A public key CloudTrail signs digests with (one per region and period). */
export interface DigestPublicKey {
  /** Hex fingerprint, as in a digest's `digestPublicKeyFingerprint`. */
  fingerprint: string;
  key: KeyObject;
  validFrom?: number;
  validTo?: number;
  /** From a PEM file: its fingerprint is computed here, not stated by AWS. */
  computedFingerprint: boolean;
}

export interface PublicKeyProvider {
  /** Keys valid for a region over [from, to]. */
  keysFor(region: string, from: number, to: number): Promise<DigestPublicKey[]>;
  /** Where the keys come from, for the ledger. */
  describe: string;
  close(): void;
}

/**
 * The fingerprint this tool computes for a PEM key: hex MD5 of the key's DER (PKCS#1) bytes, the
 * form ListPublicKeys returns keys in. When no key carries a digest's fingerprint, PEM keys are
 * still tried, so a fingerprint convention that differs only costs a lookup.
 */
export function publicKeyFingerprint(key: KeyObject): string {
  return createHash('md5').update(key.export({ format: 'der', type: 'pkcs1' })).digest('hex');
}

/** ListPublicKeys gives DER bytes (PKCS#1 per AWS's validation guide); SPKI is accepted too. */
function publicKeyFromDer(der: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'pkcs1' });
  } catch {
    return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  }
}

/**
 * Reads a key file for offline validation: the JSON `aws cloudtrail list-public-keys` prints
 * (`{"PublicKeyList":[{"Value": base64 DER, "Fingerprint", "ValidityStartTime", "ValidityEndTime"}]}`,
 * a bare list of those entries is accepted too), or one or more PEM public keys.
 */
function loadPublicKeysFile(path: string): DigestPublicKey[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new AuditpackError('CONFIG_INVALID', `cannot read the public keys file ${path}`, { cause, hint: 'check publicKeysFile' });
  }
  const keys = text.includes('-----BEGIN') ? fromPem(text, path) : fromJson(text, path);
  if (keys.length === 0) throw new AuditpackError('CONFIG_INVALID', `the public keys file ${path} holds no keys`, { hint: 'save the output of aws cloudtrail list-public-keys, or PEM public keys' });
  return keys;
}

function fromPem(text: string, path: string): DigestPublicKey[] {
  const blocks = text.match(/-----BEGIN [A-Z ]*PUBLIC KEY-----[\s\S]*?-----END [A-Z ]*PUBLIC KEY-----/g) ?? [];
  return blocks.map((pem) => {
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch (cause) {
      throw new AuditpackError('CONFIG_INVALID', `a PEM block in ${path} is not a public key`, { cause });
    }
    return { fingerprint: publicKeyFingerprint(key), key, computedFingerprint: true };
  });
}

function fromJson(text: string, path: string): DigestPublicKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new AuditpackError('CONFIG_INVALID', `the public keys file ${path} is neither JSON nor PEM`, { cause });
  }
  const list = Array.isArray(parsed) ? parsed : isObject(parsed) && Array.isArray(parsed.PublicKeyList) ? parsed.PublicKeyList : null;
  if (!list) throw new AuditpackError('CONFIG_INVALID', `the public keys file ${path} has no PublicKeyList`, { hint: 'save the output of aws cloudtrail list-public-keys' });
  return list.flatMap((entry): DigestPublicKey[] => {
    if (!isObject(entry) || typeof entry.Value !== 'string') return [];
    const key = publicKeyFromDer(Buffer.from(entry.Value, 'base64'));
    return [
      {
        fingerprint: typeof entry.Fingerprint === 'string' ? entry.Fingerprint.toLowerCase() : publicKeyFingerprint(key),
        key,
        computedFingerprint: typeof entry.Fingerprint !== 'string',
        ...timeField('validFrom', entry.ValidityStartTime),
        ...timeField('validTo', entry.ValidityEndTime),
      },
    ];
  });
}

/** The CLI prints times as ISO strings or epoch seconds depending on its settings. */
function timeField(name: 'validFrom' | 'validTo', v: unknown): Partial<DigestPublicKey> {
  const t = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? { [name]: t } : {};
}

export interface ListPublicKeysOptions {
  endpoint?: string;
  profile?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** Keys from a file when one is named, else from CloudTrail ListPublicKeys in each region. */
export function createPublicKeyProvider(opts: { file?: string; api: ListPublicKeysOptions }): PublicKeyProvider {
  if (opts.file) {
    const keys = loadPublicKeysFile(opts.file);
    return { describe: `key file ${opts.file}`, keysFor: async () => keys, close() {} };
  }
  const clients = new Map<string, CloudTrailClient>();
  const cache = new Map<string, Promise<DigestPublicKey[]>>();
  // The SDK is loaded when keys are first asked for: a run that reads no digest never loads it.
  const clientFor = async (region: string) => {
    const { CloudTrailClient } = await sdk();
    let c = clients.get(region);
    if (!c) {
      const config: CloudTrailClientConfig = {
        region,
        ...(opts.api.endpoint ? { endpoint: opts.api.endpoint } : {}),
        ...(opts.api.profile ? { profile: opts.api.profile } : {}),
        ...(opts.api.credentials ? { credentials: opts.api.credentials } : {}),
      };
      c = new CloudTrailClient(config);
      clients.set(region, c);
    }
    return c;
  };
  return {
    describe: `CloudTrail ListPublicKeys${opts.api.endpoint ? ` at ${opts.api.endpoint}` : ''}`,
    keysFor(region, from, to) {
      const cacheKey = `${region} ${from} ${to}`;
      let p = cache.get(cacheKey);
      if (!p) {
        p = clientFor(region).then((client) => listKeys(client, region, from, to));
        cache.set(cacheKey, p);
      }
      return p;
    },
    close() {
      for (const c of clients.values()) c.destroy();
    },
  };
}

let loading: Promise<typeof import('@aws-sdk/client-cloudtrail')> | null = null;
const sdk = () => (loading ??= import('@aws-sdk/client-cloudtrail'));

async function listKeys(client: CloudTrailClient, region: string, from: number, to: number): Promise<DigestPublicKey[]> {
  const { ListPublicKeysCommand } = await sdk();
  const out: DigestPublicKey[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await client.send(new ListPublicKeysCommand({ StartTime: new Date(from), EndTime: new Date(to), NextToken: token }));
    } catch (e) {
      const name = e instanceof Error ? e.name : '';
      throw new AuditpackError('SOURCE_UNREACHABLE', `cannot list CloudTrail public keys in ${region} (${name || String(e)})`, {
        cause: e,
        hint: 'allow cloudtrail:ListPublicKeys, or give publicKeysFile for offline validation',
      });
    }
    for (const k of page.PublicKeyList ?? []) {
      if (!k.Value) continue;
      const key = publicKeyFromDer(k.Value);
      out.push({
        fingerprint: k.Fingerprint?.toLowerCase() ?? publicKeyFingerprint(key),
        key,
        computedFingerprint: !k.Fingerprint,
        ...(k.ValidityStartTime ? { validFrom: k.ValidityStartTime.getTime() } : {}),
        ...(k.ValidityEndTime ? { validTo: k.ValidityEndTime.getTime() } : {}),
      });
    }
    token = page.NextToken;
  } while (token);
  return out;
}
