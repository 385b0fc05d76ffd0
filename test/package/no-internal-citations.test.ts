import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Documents the team worked from that are not in the repository: a comment citing them sends a
 * reader nowhere. Comments cite the vendor's public documentation by URL instead. (The real
 * CloudTrail records beside the checkout, `shared/fixtures`, are test data, not a citation.)
 */
const INTERNAL = [
  { name: 'the seed documents', pattern: /\bseeds\/|\bseeds? \(?0\d\d\b|\bseeds 0\d\d|\bthe seed's (own|example|table)\b|\bthe seed (shows|documents|leaves)\b/i },
  { name: 'API-NOTES', pattern: /API-NOTES/i },
  { name: 'ATHENA-NOTES', pattern: /ATHENA-NOTES/i },
  { name: 'DESIGN.md', pattern: /\bDESIGN\.md\b/ },
  { name: 'the shared folder', pattern: /(^|[^\w.-])shared\/(?!fixtures\b)/ },
];

function files(dir: string, exts: readonly string[]): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => exts.some((e) => f.endsWith(e)))
    .map((f) => join(dir, f));
}

function citations(file: string): string[] {
  const out: string[] = [];
  readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      for (const { name, pattern } of INTERNAL) if (pattern.test(line)) out.push(`${file}:${i + 1} cites ${name}: ${line.trim()}`);
    });
  return out;
}

describe('no source, test, benchmark or doc cites a document outside the repository', () => {
  it('src/ cites none (and shared/fixtures not at all: the package never reads it)', () => {
    const found = files('src', ['.ts']).flatMap(citations);
    const fixtures = files('src', ['.ts']).filter((f) => readFileSync(join(ROOT, f), 'utf8').includes('shared/fixtures'));
    expect([...found, ...fixtures.map((f) => `${f} names shared/fixtures`)]).toEqual([]);
  });

  it('test/, bench/, docs/ and the README cite none', () => {
    const all = [...files('test', ['.ts']), ...files('bench', ['.ts']), ...files('docs', ['.md']), 'README.md'].filter((f) => relative('test/package', f) !== 'no-internal-citations.test.ts');
    expect(all.flatMap(citations)).toEqual([]);
  });

  it('the patterns catch what they are for', () => {
    const caught = (line: string) => INTERNAL.filter((c) => c.pattern.test(line)).map((c) => c.name);
    expect(caught('LookupEvents: 2 requests/s (API-NOTES.md §2).')).toEqual(['API-NOTES']);
    expect(caught('Records may take up to 5 minutes to appear (seed 002).')).toEqual(['the seed documents']);
    expect(caught("The seed's own example has {\"id\": \"\"}")).toEqual(['the seed documents']);
    expect(caught('see /work/shared/ATHENA-NOTES.md')).toEqual(['ATHENA-NOTES', 'the shared folder']);
    expect(caught('as DESIGN.md describes')).toEqual(['DESIGN.md']);
    expect(caught('the original text in seeds/002_17bfbf70e79e027e.txt')).toEqual(['the seed documents']);
    expect(caught('toMatch(/The auditor should choose the seed/)')).toEqual([]);
    expect(caught('read ../shared/fixtures/cloudtrail-real')).toEqual([]);
    expect(caught('the auditor should choose the seed (--sample-seed)')).toEqual([]);
    expect(caught('Retry tokens shared by all requests')).toEqual([]);
  });
});
