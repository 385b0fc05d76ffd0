import type { SourceLedger, WindowProblem } from '../../model/coverage.js';
import type { FileRead } from './window-results.js';

const MAX_NAMED = 50;

/**
 * The completeness proof: every log file the digests list for the delivery range was read by
 * Athena (`"$path"`), and Athena read no log file the digests do not list. Partition projection
 * returns no rows, and no error, for a partition it does not project
 * (https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html), and a file that no
 * longer exists is simply not read: both show here as listed files not read, named.
 */
export function compareFilesWithDigests(input: {
  sourceName: string;
  /** Delivery range the digests were validated for (digest-validation.ts facts rangeStart/rangeEnd). */
  range: { start: number; end: number };
  listed: ReadonlyMap<string, { hashValue: string; digest: string }>;
  read: ReadonlyMap<string, FileRead>;
}): SourceLedger {
  const inRange = (deliveredAt: number | null) => deliveredAt !== null && deliveredAt >= input.range.start && deliveredAt < input.range.end;
  const deliveredOf = (key: string) => {
    const m = /_(\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json\.gz$/.exec(key);
    if (!m) return null;
    const s = m[1];
    return Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)), Number(s.slice(9, 11)), Number(s.slice(11, 13)));
  };
  const notRead = [...input.listed.keys()].filter((k) => inRange(deliveredOf(k)) && !input.read.has(k)).sort();
  const notListed = [...input.read.values()].filter((f) => inRange(f.deliveredAt) && !input.listed.has(f.key)).map((f) => f.key).sort();
  const readInRange = [...input.read.values()].filter((f) => inRange(f.deliveredAt));
  const problems: WindowProblem[] = [];
  for (const key of notRead.slice(0, MAX_NAMED)) {
    problems.push({
      item: key,
      code: 'INCOMPLETE',
      message: `log file ${key}, listed in digest ${input.listed.get(key)?.digest}, was not read by Athena (a partition the table does not project, or a file no longer there)`,
    });
  }
  if (notRead.length > MAX_NAMED) problems.push({ item: '(not read)', code: 'INCOMPLETE', message: `${notRead.length - MAX_NAMED} more listed log file(s) not read by Athena` });
  for (const key of notListed.slice(0, MAX_NAMED)) {
    problems.push({ item: key, code: 'INTEGRITY_FAILURE', message: `log file ${key} was read by Athena but no digest lists it` });
  }
  if (notListed.length > MAX_NAMED) problems.push({ item: '(not listed)', code: 'INTEGRITY_FAILURE', message: `${notListed.length - MAX_NAMED} more log file(s) read but in no digest` });
  return {
    source: input.sourceName,
    sourceType: 'cloudtrail-athena',
    title: 'Files read by Athena vs digests',
    status: problems.length ? 'failed' : 'complete',
    facts: {
      rangeStart: new Date(input.range.start).toISOString(),
      rangeEnd: new Date(input.range.end).toISOString(),
      filesListedInDigests: [...input.listed.keys()].filter((k) => inRange(deliveredOf(k))).length,
      filesReadByAthena: readInRange.length,
      recordsInFilesRead: readInRange.reduce((s, f) => s + f.records, 0),
      listedNotRead: notRead.length,
      readNotListed: notListed.length,
    },
    problems,
  };
}

/** raw/<source>/files-read.csv: each file Athena read, its records, and the SHA-256 its digest gives. */
export function filesReadCsv(read: ReadonlyMap<string, FileRead>, listed: ReadonlyMap<string, { hashValue: string; digest: string }>, bucketPrefix: string): string {
  const lines = ['s3_uri,records,digest_sha256,digest_s3_uri'];
  for (const f of [...read.values()].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const l = listed.get(f.key);
    lines.push([`${bucketPrefix}${f.key}`, String(f.records), l?.hashValue ?? '', l ? `${bucketPrefix}${l.digest}` : ''].join(','));
  }
  return lines.join('\n') + '\n';
}
