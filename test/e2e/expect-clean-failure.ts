import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { CliResult } from './harness.js';

/**
 * What every bad input must give: the documented exit code, one line on stderr naming what is
 * wrong, no stack trace, and (given the output folder) nothing there that looks like a pack.
 */
export function expectCleanFailure(r: Pick<CliResult, 'code' | 'stderr'>, code: number, message: RegExp, out?: string): void {
  expect(r.code).toBe(code);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^auditpack: /);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  if (out) expect(existsSync(join(out, 'manifest.json'))).toBe(false);
}
