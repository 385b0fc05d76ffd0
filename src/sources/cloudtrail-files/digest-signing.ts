import { verify, type KeyObject } from 'node:crypto';

/**
 * The data CloudTrail signs for a digest file ("Custom implementations of CloudTrail log file
 * integrity validation", AWS CloudTrail User Guide; the same string `aws cloudtrail validate-logs`
 * rebuilds): four lines joined by "\n":
 *   digestEndTime (as written in the digest, e.g. 2015-08-17T15:01:31Z)
 *   <digestS3Bucket>/<digestS3Object>
 *   hex SHA-256 of the uncompressed digest file
 *   previousDigestSignature (hex), or the text "null" for the first digest of a chain
 * Signed SHA256withRSA (RSASSA-PKCS1-v1_5); the hex signature is the object's
 * x-amz-meta-signature, its algorithm x-amz-meta-signature-algorithm.
 */
export function digestStringToSign(
  digest: { digestEndTime: string; digestS3Bucket: string; digestS3Object: string; previousDigestSignature: string | null },
  uncompressedSha256Hex: string,
): string {
  return [
    digest.digestEndTime,
    `${digest.digestS3Bucket}/${digest.digestS3Object}`,
    uncompressedSha256Hex,
    digest.previousDigestSignature ?? 'null',
  ].join('\n');
}

export function verifyDigestSignature(stringToSign: string, signatureHex: string, key: KeyObject): boolean {
  if (!/^[0-9a-fA-F]+$/.test(signatureHex) || signatureHex.length % 2 !== 0) return false;
  try {
    return verify('sha256', Buffer.from(stringToSign, 'utf8'), key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}
