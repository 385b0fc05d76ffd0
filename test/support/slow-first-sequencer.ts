import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest (each builds packs through the CLI or a month of demo data), longest
 * first, as vitest's per-file durations of a whole run measured them (every file over 10 s).
 * Two workers share the suite: a long file started last keeps one worker busy while the other
 * idles, so these start first and the many short files fill in around them.
 *
 * Vitest orders by the durations of the last run when it has them; CI runs a clean clone, where it
 * has none and orders by file size, which put several of these last. A file missing from this list
 * is only scheduled by vitest's own order, never skipped.
 */
export const SLOW_FILES = [
  'test/sources/cloudtrail-athena/differential-data.test.ts',
  'test/e2e/pack-state.test.ts',
  'test/e2e/determinism.test.ts',
  'test/package/tarball.test.ts',
  'test/e2e/templates-pack.test.ts',
  'test/e2e/cli.test.ts',
  'test/hostile/signals.test.ts',
  'test/e2e/cli-conventions.test.ts',
  'test/sources/trail-logs/trail-logs-cli.test.ts',
  'test/e2e/smapi-pack.test.ts',
  'test/e2e/demo-pack.test.ts',
  'test/hostile/kill-resume.test.ts',
  'test/sources/amplitude/amplitude-cli.test.ts',
  'test/e2e/input-limits.test.ts',
  'test/render/pdf/render-pdf.test.ts',
  'test/sources/cloudtrail-files/workers.test.ts',
  'test/sources/cloudtrail-files/aws-cli-files.test.ts',
  'test/e2e/emulate.test.ts',
  'test/sources/cloudtrail-athena/differential.test.ts',
  'test/sources/cloudtrail-athena/completeness.test.ts',
  'test/e2e/init.test.ts',
  'test/sources/cloudtrail-files/s3.test.ts',
];

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FILES.indexOf(relative(this.ctx.config.root, f.moduleId).split('\\').join('/'));
      return i === -1 ? SLOW_FILES.length : i;
    };
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
