/**
 * CloudTrail's S3 key layout (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html and https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html):
 *   [prefix/]AWSLogs/[o-orgid/]<account>/CloudTrail/<region>/YYYY/MM/DD/
 *       <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz
 *   [prefix/]AWSLogs/[o-orgid/]<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
 *       <account>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHmmssZ>[_backfill].json.gz
 * Dates in keys are delivery dates (UTC): a log file's is when it was written, a digest's is the
 * end of the hour it covers. Insight files live under CloudTrail-Insight/ and are never listed.
 */
const DAY = 86_400_000;

const LOG_FILE = /^(\d+)_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json\.gz$/;
const DIGEST_FILE = /^(\d+)_CloudTrail-Digest_([a-z0-9-]+)_.+_(\d{8}T\d{6}Z)(_backfill)?\.json\.gz$/;

export interface LogFileName {
  account: string;
  region: string;
  /** Delivery time from the name (minute precision), epoch ms. */
  deliveredAt: number;
}

export function parseLogFileName(key: string): LogFileName | null {
  const m = LOG_FILE.exec(baseName(key));
  if (!m) return null;
  return { account: m[1], region: m[2], deliveredAt: compactTime(m[3]) };
}

export interface DigestFileName {
  account: string;
  region: string;
  /** End of the covered hour, from the name, epoch ms. */
  endsAt: number;
  backfill: boolean;
}

export function parseDigestFileName(key: string): DigestFileName | null {
  const m = DIGEST_FILE.exec(baseName(key));
  if (!m) return null;
  return { account: m[1], region: m[2], endsAt: compactTime(m[3]), backfill: m[4] !== undefined };
}

/** `20261004T1005Z` or `20261004T100512Z` → epoch ms. */
function compactTime(s: string): number {
  return Date.UTC(
    Number(s.slice(0, 4)),
    Number(s.slice(4, 6)) - 1,
    Number(s.slice(6, 8)),
    Number(s.slice(9, 11)),
    Number(s.slice(11, 13)),
    s.length > 14 ? Number(s.slice(13, 15)) : 0,
  );
}

/** `YYYYMMDDTHHmmZ` (log files) or with seconds (digests). */
export function formatCompactTime(t: number, seconds: boolean): string {
  const iso = new Date(t).toISOString();
  const base = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}`;
  return seconds ? `${base}${iso.slice(17, 19)}Z` : `${base}Z`;
}

/** `YYYY/MM/DD` of every UTC day from `from`'s day through `to`'s day (both included). */
export function dayFolders(from: number, to: number): string[] {
  const out: string[] = [];
  for (let d = Math.floor(from / DAY) * DAY; d <= to; d += DAY) out.push(new Date(d).toISOString().slice(0, 10).replace(/-/g, '/'));
  return out;
}

/** The store key of a full bucket key named in a digest (`prefix/AWSLogs/…` → `AWSLogs/…`). */
export function storeKeyOf(bucketKey: string): string {
  if (bucketKey.startsWith('AWSLogs/')) return bucketKey;
  const i = bucketKey.indexOf('/AWSLogs/');
  return i >= 0 ? bucketKey.slice(i + 1) : bucketKey;
}

function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
