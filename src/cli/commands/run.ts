import type { Argv } from 'yargs';
import { AuditpackError, EXIT } from '../../errors.js';
import type { RunJobOptions, RunJobResult } from '../../job/run-job.js';
import { createProgress } from '../progress.js';
import { createCliContext, runCommand, type CliContext } from '../context.js';
import { printPackResult } from '../print-result.js';
import { periodOptions, type PeriodArgs } from './period-options.js';

interface RunArgs extends PeriodArgs {
  config?: string;
  out?: string;
  template?: string;
  force?: boolean;
  'generated-at'?: string;
  previous?: string;
  'sample-seed'?: string;
  'sample-method'?: string;
  'sign-key'?: string;
  'verify-digests'?: boolean;
  workers?: number;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export function registerRun<T>(yargs: Argv<T>, signal: AbortSignal): Argv<T> {
  return yargs.command<RunArgs>(
    'run',
    'Pull every event of a period from the configured sources and write an evidence pack',
    (y) =>
      periodOptions(y)
        .option('config', { alias: 'c', type: 'string', describe: 'Config file (JSON): organization, time zone, sources' })
        .option('out', { alias: 'o', type: 'string', describe: 'Pack folder (default reports/<template>-<period>)' })
        .option('template', { alias: 't', type: 'string', describe: 'Built-in template name or ./file.json (see `auditpack templates`)' })
        .option('force', { type: 'boolean', default: false, describe: 'Replace an existing pack at the output folder' })
        .option('generated-at', { type: 'string', describe: 'Pin the generated-at time (ISO 8601) so a re-run is byte-identical' })
        .option('previous', { type: 'string', describe: "Last period's pack, to mark exceptions new / recurring / resolved" })
        .option('sample-seed', { type: 'string', describe: 'Seed for the auditor sample; the auditor should choose it (default: derived from the period and template, known in advance)' })
        .option('sample-method', { type: 'string', choices: ['v1', 'v2'], default: 'v2', describe: 'How samples are drawn: v2 seeded positions in canonical order; v1 lowest HMAC of event ids (to re-draw a pack made before v2)' })
        .option('sign-key', { type: 'string', describe: 'PEM private key (Ed25519 or ECDSA P-256) that signs manifest.json into manifest.sig' })
        .option('verify-digests', { type: 'boolean', default: false, describe: 'Validate the CloudTrail digest chain of every cloudtrail-files source (hashes, chain, RSA signatures)' })
        .option('workers', workersOption)
        .option('json', { type: 'boolean', default: false, describe: 'Print a JSON summary on stdout for scripts' })
        .example('$0 run -c auditpack.json --period 2026-10 --tz America/New_York', 'October 2026, New York time')
        .example('$0 run -c auditpack.json --from 2026-10-01 --to 2026-10-15', 'a custom range (the --to day included)'),
    async (argv) => {
      const ctx = createCliContext(argv, signal, process.argv.slice(2));
      await runCommand(ctx, async () => {
        const result = await runWithProgress(ctx, {
          configFile: argv.config,
          period: argv.period,
          from: argv.from,
          to: argv.to,
          tz: argv.tz,
          template: argv.template,
          out: argv.out,
          force: Boolean(argv.force),
          generatedAt: argv['generated-at'],
          previous: argv.previous,
          sampleSeed: argv['sample-seed'],
          sampleMethod: argv['sample-method'] === 'v1' ? 'v1' : 'v2',
          signKey: argv['sign-key'],
          verifyDigests: Boolean(argv['verify-digests']),
          workers: workersArg(argv.workers),
        });
        printPackResult(ctx, result, Boolean(argv.json));
        return result.model.complete ? EXIT.ok : EXIT.incomplete;
      });
    },
  );
}

/** `--workers N`: threads that read and parse log files; the pack is byte-identical whatever N is. */
export const workersOption = {
  type: 'number',
  describe: 'Worker threads that gunzip, parse and normalize log files (default: the cores available); the pack is the same whatever the number',
} as const;

export function workersArg(n: number | undefined): number | undefined {
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new AuditpackError('USAGE', `--workers ${n} is not a whole number from 1 to 256`, { hint: 'e.g. --workers 4, or leave it out to use every core' });
  return n;
}

type JobArgs = Omit<RunJobOptions, 'command' | 'env' | 'clock' | 'log' | 'redactor' | 'signal' | 'progress' | 'registry'> & Partial<Pick<RunJobOptions, 'env'>>;

/**
 * runJob with the context's clock, logger, signal and a TTY progress line. The job (AWS SDK,
 * pdfkit, exceljs) is loaded here, not at start-up, so `--help` and `verify` answer at once.
 */
export async function runWithProgress(ctx: CliContext, args: JobArgs): Promise<RunJobResult> {
  const [{ runJob }, { sourceRegistry }] = await Promise.all([import('../../job/run-job.js'), import('../../sources/registry.js')]);
  let done = () => {};
  try {
    return await runJob({
      env: ctx.env,
      registry: sourceRegistry,
      ...args,
      command: ['auditpack', ...ctx.argv].join(' '),
      clock: ctx.clock,
      log: ctx.log,
      redactor: ctx.redactor,
      signal: ctx.signal,
      progress: (prepared) => {
        const total = [...prepared.plans.values()].reduce((n, p) => n + p.length, 0);
        const p = createProgress({ mode: ctx.progressMode, totalWindows: total, write: (s) => process.stderr.write(s), now: ctx.clock.now });
        done = p.done;
        return p;
      },
    });
  } finally {
    done();
  }
}
