import type { Argv } from 'yargs';
import { EXIT } from '../../errors.js';
import { formatLocalIso } from '../../period/time-zone.js';
import { createCliContext, runCommand } from '../context.js';
import { periodOptions, type PeriodArgs } from './period-options.js';

interface PlanArgs extends PeriodArgs {
  config?: string;
  template?: string;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export function registerPlan<T>(yargs: Argv<T>, signal: AbortSignal): Argv<T> {
  return yargs.command<PlanArgs>(
    'plan',
    'Show the query windows per source (local time and UTC) and the estimated requests, without any network call',
    (y) =>
      periodOptions(y)
        .option('config', { alias: 'c', type: 'string', describe: 'Config file (JSON)' })
        .option('template', { alias: 't', type: 'string', describe: 'Template name or ./file.json' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the plan as JSON' }),
    async (argv) => {
      const ctx = createCliContext(argv, signal, process.argv.slice(2));
      await runCommand(ctx, async () => {
        const [{ prepareRun }, { sourceRegistry }] = await Promise.all([import('../../job/prepare-run.js'), import('../../sources/registry.js')]);
        const run = await prepareRun({
          configFile: argv.config, period: argv.period, from: argv.from, to: argv.to, tz: argv.tz, template: argv.template,
          env: ctx.env, clock: ctx.clock, log: ctx.log, redactor: ctx.redactor, registry: sourceRegistry,
        });
        const zone = run.period.timeZone;
        const plan = run.sources.map((s) => {
          const windows = (run.plans.get(s.name) ?? []).map((w) => ({
            index: w.index,
            startLocal: formatLocalIso(zone, w.start),
            endLocal: formatLocalIso(zone, w.end),
            startUtc: new Date(w.start).toISOString(),
            endUtc: new Date(w.end).toISOString(),
            hours: (w.end - w.start) / 3_600_000,
            estimatedRequests: s.estimateRequests?.(w) ?? null,
          }));
          const known = windows.every((w) => w.estimatedRequests !== null);
          return {
            source: s.name, type: s.type, description: s.description, policy: s.policy, windows,
            estimatedRequests: known ? windows.reduce((n, w) => n + (w.estimatedRequests ?? 0), 0) : null,
          };
        });
        if (argv.json) {
          ctx.stdout(JSON.stringify({ period: run.period, template: run.template.name, sources: plan }, null, 2) + '\n');
          return EXIT.ok;
        }
        const out: string[] = [`Period ${run.period.label}: ${run.period.startLocal} – ${run.period.endLocal} (${zone}) = ${run.period.startUtc} – ${run.period.endUtc} UTC`, `Template ${run.template.name}`];
        for (const s of plan) {
          out.push('', `${s.source === s.type ? s.source : `${s.source} (${s.type})`} — ${s.description}`);
          const pages = s.policy.pageSize > 0 ? `page size ${s.policy.pageSize}` : 'no page size to set';
          out.push(`  ${s.windows.length} window${s.windows.length === 1 ? '' : 's'}, concurrency ${s.policy.concurrency}, ${pages}${s.estimatedRequests !== null ? `, ~${s.estimatedRequests} requests` : ''}`);
          for (const w of s.windows) {
            out.push(`  ${String(w.index).padStart(3)}  ${w.startLocal} → ${w.endLocal}   UTC ${w.startUtc.slice(0, 16)}Z → ${w.endUtc.slice(0, 16)}Z  ${w.hours}h${w.estimatedRequests !== null ? `  ~${w.estimatedRequests} req` : ''}`);
          }
        }
        ctx.stdout(out.join('\n') + '\n');
        return EXIT.ok;
      });
    },
  );
}
