import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The shared real CloudTrail records (README beside them): one JSON record per line. shared/ sits beside the checkout, on developers' machines and in CI alike. */
export const REAL_DIR = resolve(import.meta.dirname, '../../../../shared/fixtures/cloudtrail-real');

export interface RealLine {
  file: string;
  line: string;
}

export function realLines(): RealLine[] {
  const files = [
    'aws-cloudtrail-user-guide.jsonl',
    'panther-analysis.jsonl',
    ...readdirSync(join(REAL_DIR, 'elastic'))
      .filter((f) => f.endsWith('.log'))
      .sort()
      .map((f) => `elastic/${f}`),
  ];
  const out: RealLine[] = [];
  for (const file of files) {
    for (const line of readFileSync(join(REAL_DIR, file), 'utf8').split('\n')) {
      if (line.trim()) out.push({ file, line });
    }
  }
  return out;
}
