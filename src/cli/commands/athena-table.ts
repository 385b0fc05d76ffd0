import { randomUUID } from 'node:crypto';
import type { Argv } from 'yargs';
import { EXIT } from '../../errors.js';
import { emptyStats } from '../../model/coverage.js';
import { createCliContext, runCommand } from '../context.js';

interface AthenaTableArgs {
  config?: string;
  source?: string;
  create?: boolean;
  replace?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export function registerAthenaTable<T>(yargs: Argv<T>, signal: AbortSignal): Argv<T> {
  return yargs.command<AthenaTableArgs>(
    'athena-table',
    "Print the Athena CREATE EXTERNAL TABLE (partition projection) for a cloudtrail-athena source's trail; --create runs it",
    (y) =>
      y
        .option('config', { alias: 'c', type: 'string', demandOption: true, describe: 'The config file' })
        .option('source', { type: 'string', describe: 'The cloudtrail-athena source to use, by name (when the config has several)' })
        .option('create', { type: 'boolean', default: false, describe: 'Run the statements in Athena (the workgroup and output location of the source)' })
        .option('replace', { type: 'boolean', default: false, describe: 'Drop the table first (its files are not touched); implies --create' }),
    async (argv) => {
      const ctx = createCliContext(argv, signal, process.argv.slice(2));
      await runCommand(ctx, async () => {
        // Loaded when run, as every command's work is, so `--help` stays fast.
        const { readAthenaSourceConfig } = await import('../../sources/cloudtrail-athena/read-athena-config.js');
        const { createTable, tableStatements } = await import('../../sources/cloudtrail-athena/create-table.js');
        const cfg = await readAthenaSourceConfig(argv.config ?? '', argv.source);
        const replace = Boolean(argv.replace);
        const statements = tableStatements(cfg, { replace });
        ctx.stdout(statements.map((s) => `${s};\n`).join('\n'));
        if (!argv.create && !replace) return EXIT.ok;
        const { createAthenaClient } = await import('../../sources/cloudtrail-athena/athena-client.js');
        const { createApiRetry, DEFAULT_API_RETRY } = await import('../../sources/cloudtrail-athena/api-retry.js');
        const { createQueryRunner, runnerSettings } = await import('../../sources/cloudtrail-athena/query-runner.js');
        const client = createAthenaClient(cfg, { env: ctx.env, redactor: ctx.redactor });
        try {
          const runner = createQueryRunner(runnerSettings(cfg), {
            client,
            clock: ctx.clock,
            retry: createApiRetry(DEFAULT_API_RETRY, { clock: ctx.clock, endpoint: cfg.endpoint ?? `https://athena.${cfg.region}.amazonaws.com` }),
          });
          // A fresh key per invocation: running --replace twice must run twice, not return the first execution.
          const ledgers = await createTable(cfg, { runner, signal: ctx.signal, rec: emptyStats(), idempotencyKey: randomUUID() }, { replace });
          for (const l of ledgers) ctx.stderr(`${l.state}: ${l.sql.split('\n')[0].replace(/\s*\($/, '')} (Athena query ${l.executionId})`);
          ctx.stderr(`table ${cfg.database}.${cfg.table} created in workgroup ${cfg.workgroup} (${cfg.region})`);
        } finally {
          client.destroy();
        }
        return EXIT.ok;
      });
    },
  );
}
