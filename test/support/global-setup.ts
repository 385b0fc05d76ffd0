import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingFixtureLine, realFixtureDir, REAL_FIXTURE_SETS } from './shared-fixtures.js';

/**
 * Once per run: one line per real-data fixture set that is absent, whose tests are skipped; and
 * one temporary folder for the whole run. The tests' own temporary folders (packs, spills, emulator
 * buckets, the CLI's children) go inside it, since os.tmpdir() follows TMPDIR, and it is removed at
 * the end: a run left thousands of folders in /tmp before, whatever each test remembered to clean.
 */
export default function setup(): () => void {
  for (const set of REAL_FIXTURE_SETS) {
    if (!realFixtureDir(set)) process.stderr.write(`${missingFixtureLine(set)}\n`);
  }
  const root = mkdtempSync(join(tmpdir(), 'auditpack-tests-'));
  const before = { TMPDIR: process.env.TMPDIR, TMP: process.env.TMP, TEMP: process.env.TEMP };
  // TMPDIR on POSIX, TMP and TEMP on Windows (https://nodejs.org/api/os.html#ostmpdir).
  process.env.TMPDIR = process.env.TMP = process.env.TEMP = root;
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(root, { recursive: true, force: true });
  };
}
