import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/pack/manifest.js';
import { compareCodePoints } from '../../src/util/compare.js';
import { cli, readJson, smapiFixture, tempDir, type SmapiFixture } from './harness.js';

/** Same inputs, same pack: whatever the machine's locale, and across two demo runs. */
let fx: SmapiFixture;

beforeAll(async () => {
  fx = await smapiFixture({ seed: 'locale', period: { start: Date.parse('2026-09-30T00:00:00Z'), end: Date.parse('2026-10-03T00:00:00Z') }, eventCount: 150 });
});
afterAll(async () => {
  await fx.close();
});

/**
 * What the locale could change: the pack id, summary.json, coverage.json, the workbook's content
 * and the raw archives. Not network.json (a retry on a loaded machine changes it) nor the PDF
 * (whose appendix shows those counts).
 */
function fingerprint(m: Manifest): string[] {
  const compared = m.files.filter((f) => ['summary.json', 'coverage.json', 'report.xlsx'].includes(f.path) || f.path.startsWith('raw/'));
  expect(compared.length).toBe(5);
  return [m.packId, ...compared.map((f) => `${f.path} ${f.contentSha256 ?? f.sha256}`)];
}

/** The environment of a machine whose locale is `lang`: nothing else may choose the collation. */
function localeEnv(lang: string): Record<string, string | undefined> {
  return { LANG: lang, LC_ALL: undefined, LC_COLLATE: undefined, LC_MESSAGES: undefined, LC_CTYPE: undefined, LANGUAGE: undefined };
}

describe('nothing locale-dependent reaches a pack', () => {
  it('LANG=da_DK.UTF-8 and LANG=en_US.UTF-8 give the same pack id and the same hashes', async () => {
    // Sources named "aa" and "b": Danish collation sorts "aa" (å) after "z", English before "b".
    const c = JSON.parse(readFileSync(fx.configFile, 'utf8')) as { sources: Record<string, unknown>[] };
    c.sources = [{ ...c.sources[0], name: 'b' }, { ...c.sources[0], name: 'aa' }];
    const config = join(fx.dir, 'two-names.json');
    writeFileSync(config, JSON.stringify(c));

    // The test means something only where Node's ICU follows LANG and the two locales disagree.
    const probe = (lang: string) =>
      execFileSync(process.execPath, ['-e', "process.stdout.write(new Intl.Collator().resolvedOptions().locale + ' ' + ['b', 'aa'].sort((x, y) => x.localeCompare(y)).join(','))"], {
        env: Object.fromEntries(Object.entries({ ...process.env, ...localeEnv(lang) }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
      }).toString();
    expect(probe('da_DK.UTF-8')).toBe('da-DK b,aa');
    expect(probe('en_US.UTF-8')).toBe('en-US aa,b');

    // The same command line (the manifest records it): a relative --out in two folders.
    const runUnder = async (lang: string) => {
      const cwd = tempDir();
      const r = await cli(['run', '-c', config, '--from', '2026-10-01', '--to', '2026-10-01', '--tz', 'UTC', '--out', 'pack', '--generated-at', '2026-11-02T09:00:00Z'], {
        env: { ...fx.env, ...localeEnv(lang) } as Record<string, string>,
        cwd,
      });
      expect(r.code).toBe(0);
      return readJson<Manifest>(join(cwd, 'pack', 'manifest.json'));
    };
    const da = await runUnder('da_DK.UTF-8');
    const en = await runUnder('en_US.UTF-8');
    expect(fingerprint(da)).toEqual(fingerprint(en));
  });

  it('code point order: BMP characters above the surrogates sort before astral ones', () => {
    const words = ['\u{1F600}', '\uFF21', 'Z', 'a', 'aa', 'b', 'Å'];
    expect([...words].sort(compareCodePoints)).toEqual(['Z', 'a', 'aa', 'b', 'Å', '\uFF21', '\u{1F600}']);
  });
});

describe('two demo runs with the same --generated-at', () => {
  it('give the same pack id and identical summary.json, coverage.json and workbook content', async () => {
    const cwd = tempDir('ap-demo-twice-');
    // A period that has ended: its data set does not move with the clock.
    const day = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    // Generated after the day and every source's delivery delay (an earlier pack is INCOMPLETE).
    const at = `${new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10)}T09:00:00Z`;
    // Both runs on the same ports, their own: the default ports may be held by another demo of the
    // suite running at the same time, and a run that falls back to other ports gets another pack id.
    const port = String(30_000 + Math.floor(Math.random() * 25_000));
    const demo = async () => {
      const r = await cli(['demo', '--template', 'soc2-monthly', '--period', day, '--tz', 'UTC', '--generated-at', at, '--json', '--port', port], { cwd });
      expect(r.code).toBe(0);
      return readJson<Manifest>(join(cwd, 'reports', `soc2-monthly-${day}`, 'manifest.json'));
    };
    const first = await demo();
    const second = await demo();
    const pick = (m: Manifest) => Object.fromEntries(m.files.filter((f) => ['summary.json', 'coverage.json', 'report.xlsx'].includes(f.path)).map((f) => [f.path, f.contentSha256 ?? f.sha256]));
    expect(Object.keys(pick(first))).toHaveLength(3);
    expect(second.packId).toBe(first.packId);
    expect(pick(second)).toEqual(pick(first));
  }, 300_000);
});
