import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { realFixtureDir } from '../../support/shared-fixtures.js';

/** The first shared set (README beside it): one JSON record per line; null where it is absent. */
export const REAL_DIR = realFixtureDir('cloudtrail-real');
/** The second shared set, in the S3 delivery layout (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz). */
export const REAL_2_DIR = realFixtureDir('cloudtrail-real-2');

export interface RealLine {
  file: string;
  line: string;
}

export function realLines(): RealLine[] {
  if (!REAL_DIR) throw new Error('cloudtrail-real fixtures absent: guard the test with describe.skipIf(!REAL_DIR)');
  const dir = REAL_DIR;
  const files = [
    'aws-cloudtrail-user-guide.jsonl',
    'panther-analysis.jsonl',
    ...readdirSync(join(dir, 'elastic'))
      .filter((f) => f.endsWith('.log'))
      .sort()
      .map((f) => `elastic/${f}`),
  ];
  const out: RealLine[] = [];
  for (const file of files) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim()) out.push({ file, line });
    }
  }
  return out;
}

export interface RealLogFile {
  /** Path below the set's folder (AWSLogs/…). */
  key: string;
  records: Record<string, unknown>[];
}

/** Every log file of the second set, gunzipped and parsed here (not by the source under test), in key order. */
export function real2Files(): RealLogFile[] {
  if (!REAL_2_DIR) throw new Error('cloudtrail-real-2 fixtures absent: guard the test with describe.skipIf(!REAL_2_DIR)');
  const root = REAL_2_DIR;
  const files = readdirSync(join(root, 'AWSLogs'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.json.gz'))
    .map((d) => relative(root, join(d.parentPath, d.name)))
    .sort();
  return files.map((key) => ({ key, records: (JSON.parse(gunzipSync(readFileSync(join(root, key))).toString('utf8')) as { Records: Record<string, unknown>[] }).Records }));
}
