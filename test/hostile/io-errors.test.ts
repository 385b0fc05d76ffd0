import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { expectCleanFailure } from '../e2e/expect-clean-failure.js';
import { cli } from '../e2e/harness.js';

/**
 * Issue 12 item 10, found by the hostile sweep: an --out where the pack's lock cannot be created
 * (the lock is the first file a run writes) ended as "unexpected error" (exit 70), because the
 * lock was taken outside the part of the run that maps file-system errors. These folders refuse
 * writes whoever runs the test, root included.
 */
const dir = mkdtempSync(join(tmpdir(), 'ap-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = join(dir, 'auditpack.json');
writeFileSync(config, JSON.stringify({ organization: 'IO test', timezone: 'UTC', sources: [{ type: 'cloudtrail-files', location: 'trail' }] }));
const run = (out: string) => cli(['run', '-c', config, '--period', '2026-07-01', '--out', out]);

describe('an --out where no file can be created: one line, exit 73, never 70', () => {
  it('/proc (open for writing answers ENOENT)', async () => {
    if (!existsSync('/proc/self')) return console.log('skipped: no /proc on this system');
    expectCleanFailure(await run('/proc/auditpack-pack'), EXIT.cannotWrite, /^auditpack: cannot write \/proc\/\.auditpack-pack\.lock\.\d+\.tmp: no such file or folder .*\(ENOENT\) — choose a folder on an ordinary writable file system with --out/);
  });

  it('/sys (EACCES, even for root)', async () => {
    if (!existsSync('/sys/kernel')) return console.log('skipped: no /sys on this system');
    expectCleanFailure(await run('/sys/auditpack-pack'), EXIT.cannotWrite, /^auditpack: cannot write \/sys\/\.auditpack-pack\.lock\.\d+\.tmp: (permission denied \(EACCES\)|the file system is read-only \(EROFS\))/);
  });
});
