import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One line per real-data fixture set absent from this machine (its tests are skipped).
    globalSetup: ['test/support/global-setup.ts'],
    // The AWS SDK warns on every import under Node 20, which auditpack supports; the CLI silences it too (src/cli/main.ts).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // dt-sql-parser ships ESM with extensionless imports, which Node cannot load itself; vite resolves them.
    server: { deps: { inline: ['dt-sql-parser'] } },
  },
});
