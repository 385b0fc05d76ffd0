import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Real CloudTrail records written by others live outside the repository, in a `shared/fixtures/`
 * folder beside the checkout (or beside a folder above it, as with git worktrees), or wherever
 * AUDITPACK_SHARED_FIXTURES points. They are never copied into the repository: tests that read
 * them run where the folder is and are skipped where it is not (a fork, a fresh clone).
 */
export const REAL_FIXTURE_SETS = ['cloudtrail-real', 'cloudtrail-real-2'] as const;
export type RealFixtureSet = (typeof REAL_FIXTURE_SETS)[number];

const CHECKOUT = resolve(import.meta.dirname, '../..');

function fixturesRoot(): string | null {
  const named = process.env.AUDITPACK_SHARED_FIXTURES;
  if (named) return resolve(named);
  for (let dir = dirname(CHECKOUT); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'fixtures');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** The folder of a fixture set, or null when it is not on this machine. */
export function realFixtureDir(set: RealFixtureSet): string | null {
  const root = fixturesRoot();
  const dir = root && join(root, set);
  return dir && existsSync(dir) ? dir : null;
}

/** Where a missing set was looked for, for the one line the run prints about it. */
export function missingFixtureLine(set: RealFixtureSet): string {
  const where = process.env.AUDITPACK_SHARED_FIXTURES ? join(process.env.AUDITPACK_SHARED_FIXTURES, set) : `../shared/fixtures/${set}`;
  return `real-data tests skipped: ${where} not found (set AUDITPACK_SHARED_FIXTURES to the folder holding ${set}/ to run them)`;
}
