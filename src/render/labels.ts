/** Words for the keys the pack stores (run parameters, ledger facts), so reports never print an internal key name. */
const LABELS: Record<string, string> = {
  period: 'Period',
  periodStartUtc: 'Period start (UTC)',
  periodEndUtc: 'Period end (UTC)',
  timeZone: 'Time zone',
  template: 'Template',
  organization: 'Organization',
  configSha256: 'Config file SHA-256',
  sources: 'Sources',
  verifyDigests: 'CloudTrail digests verified',
  previousPack: 'Previous pack (month over month)',
  sampleSeed: 'Sample seed',
  sampleSeedSource: 'Sample seed chosen by',
  sampleMethod: 'Sample method',
  periodEnd: 'Period end',
  deliveryDelayMinutes: 'Delivery delay (minutes)',
  dataFinalAt: 'Data final at',
  generatedAt: 'Generated at',
  lateArrivals: 'Late arrivals',
  timestampUnit: 'Timestamp unit',
};

const ACRONYMS = new Set(['utc', 'id', 'ids', 'sha256', 'lwa', 'api', 'http', 'url', 'ip', 'arn', 'rsa', 'mfa', 'sso', 's3', 'kms', 'iam']);

/** "periodStartUtc" → "Period start (UTC)" from the table, else "digestFilesRead" → "Digest files read". */
export function humanLabel(key: string): string {
  const known = LABELS[key];
  if (known) return known;
  const words = key
    .replace(/[._-]+/g, ' ')
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .trim()
    .split(/\s+/)
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()));
  if (words.length === 0 || words[0] === '') return key;
  words[0] = words[0].charAt(0).toUpperCase() + words[0].slice(1);
  return words.join(' ');
}

const RESPONSE_CLASSES: Record<string, string> = {
  '1xx': '1xx (informational)',
  '2xx': '2xx (success)',
  '3xx': '3xx (redirect)',
  '4xx': '4xx (client error)',
  '5xx': '5xx (server error)',
  ok: 'ok (no HTTP status: succeeded)',
  error: 'error (no HTTP status: failed)',
};

/**
 * A response class as a reader sees it: sources without HTTP statuses (CloudTrail's errorCode,
 * Amplitude's outcome) give "ok" and "error", which would otherwise read as odd codes beside 2xx.
 * The key stays what rules match on (`responseClass`).
 */
export function responseClassLabel(key: string): string {
  return RESPONSE_CLASSES[key] ?? key;
}
