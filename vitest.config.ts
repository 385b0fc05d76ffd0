import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/support/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // CI and the guide's budget are 2 cores. Vitest's default for `run` is one worker fewer than the
    // cores, i.e. ONE worker there: every file ran in series while most e2e tests wait on a child
    // process or a socket and leave the second core idle. Two workers keep both busy.
    maxWorkers: 2,
    // Each file in a fresh module graph re-imported the AWS SDK, exceljs, pdfkit and DuckDB (half of
    // a unit-test file's time). The tests share no module state (every test builds its own clock,
    // client, emulator and temp folder, and the one that sets AWS_* variables restores them), so a
    // worker reuses its modules from one file to the next.
    isolate: false,
    // The longest files first, so the short ones fill in around them (see the sequencer).
    sequence: { sequencer: SlowFirstSequencer },
    // One line per real-data fixture set absent from this machine (its tests are skipped).
    globalSetup: ['test/support/global-setup.ts'],
    // The AWS SDK warns on every import under Node 20, which auditpack supports; the CLI silences it too (src/cli/main.ts).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // dt-sql-parser ships ESM with extensionless imports, which Node cannot load itself; vite resolves them.
    server: { deps: { inline: ['dt-sql-parser'] } },
  },
});
