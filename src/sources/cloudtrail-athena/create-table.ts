import { AuditpackError } from '../../errors.js';
import type { AttemptRecorder } from '../../http/types.js';
import type { CloudtrailAthenaConfig } from './config.js';
import type { QueryLedger, QueryRunner } from './query-runner.js';
import { cloudtrailTableDdl, dropTableDdl } from './table-ddl.js';

type TableConfig = Parameters<typeof cloudtrailTableDdl>[0] & Pick<CloudtrailAthenaConfig, 'database'>;

/** The statements `athena-table` prints and `--create` runs, in order. */
export function tableStatements(cfg: TableConfig, opts: { replace: boolean }): string[] {
  return [
    // The `default` database always exists; another one is created if missing.
    ...(cfg.database !== 'default' ? [`CREATE DATABASE IF NOT EXISTS \`${cfg.database}\``] : []),
    ...(opts.replace ? [dropTableDdl(cfg)] : []),
    cloudtrailTableDdl(cfg),
  ];
}

/** Runs the statements through the query runner; each one's ledger (execution id, states) is returned. */
export async function createTable(
  cfg: TableConfig,
  deps: { runner: QueryRunner; signal: AbortSignal; rec: AttemptRecorder; idempotencyKey: string },
  opts: { replace: boolean },
): Promise<QueryLedger[]> {
  const ledgers: QueryLedger[] = [];
  for (const [i, sql] of tableStatements(cfg, opts).entries()) {
    try {
      await deps.runner.run(sql, { signal: deps.signal, rec: deps.rec, label: `athena-table statement ${i + 1}`, idempotencyKey: deps.idempotencyKey, ledgers });
    } catch (e) {
      if (e instanceof AuditpackError && e.code === 'QUERY_FAILED' && /AlreadyExists|already exists/i.test(e.message)) {
        throw new AuditpackError('USAGE', `table ${cfg.database}.${cfg.table} already exists`, {
          cause: e,
          hint: 'add --replace to drop and create it again (an EXTERNAL table: the trail files are not touched)',
        });
      }
      throw e;
    }
  }
  return ledgers;
}
