import { relative } from 'node:path';
import type { RunJobResult } from '../job/run-job.js';
import type { CliContext } from './context.js';

/** What the user reads when a pack is written: where, whether complete, the headline figures. */
export function printPackResult(ctx: CliContext, result: RunJobResult, json: boolean): void {
  const m = result.model;
  const where = relative(process.cwd(), result.packDir) || '.';
  if (json) {
    ctx.stdout(
      JSON.stringify(
        {
          pack: result.packDir,
          status: result.manifest.status,
          incompleteReasons: m.incompleteReasons,
          period: m.period,
          totals: m.totals,
          bySource: m.bySource,
          exceptions: m.exceptions.count,
          files: result.manifest.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
        },
        null,
        2,
      ) + '\n',
    );
    return;
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `${m.complete ? 'COMPLETE' : 'INCOMPLETE'} evidence pack: ${where}`,
    `  period     ${m.period.label} (${m.period.startLocal} – ${m.period.endLocal}, ${m.period.timeZone})`,
    // No events: a "success 100.0%" would read as a clean month, and the pack may be INCOMPLETE.
    m.totals.events === 0
      ? `  events     0`
      : `  events     ${m.totals.events.toLocaleString('en-US')} (${m.totals.failures.toLocaleString('en-US')} failed, success ${pct(m.totals.successRate)}), ${m.totals.duplicatesRemoved.toLocaleString('en-US')} duplicates removed`,
    `  exceptions ${m.exceptions.count.toLocaleString('en-US')}`,
    `  windows    ${m.coverage.windows.length} (${m.coverage.windows.filter((w) => w.status !== 'complete').length} failed)`,
    `  files      ${result.manifest.files.length} + manifest.json and its seal manifest.sha256 — check with: auditpack verify ${where}`,
  ];
  if (!m.complete) {
    lines.push('  INCOMPLETE because:');
    for (const r of m.incompleteReasons.slice(0, 10)) lines.push(`    - ${r}`);
    if (m.incompleteReasons.length > 10) lines.push(`    … and ${m.incompleteReasons.length - 10} more (see coverage.json)`);
  }
  ctx.stdout(lines.join('\n') + '\n');
}
