import { missingFixtureLine, realFixtureDir, REAL_FIXTURE_SETS } from './shared-fixtures.js';

/** Once per run: one line per real-data fixture set that is absent, whose tests are skipped. */
export default function setup(): void {
  for (const set of REAL_FIXTURE_SETS) {
    if (!realFixtureDir(set)) process.stderr.write(`${missingFixtureLine(set)}\n`);
  }
}
