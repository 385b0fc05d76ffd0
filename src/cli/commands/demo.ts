import { relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT } from '../../errors.js';
import { parsePeriod } from '../../period/parse-period.js';
import { templatesDir } from '../../package-info.js';
import { createCliContext, runCommand } from '../context.js';
import { printPackResult } from '../print-result.js';
import { runWithProgress, workersArg, workersOption } from './run.js';

/**
 * The endpoints (and so their ports) are part of the config, hence of the pack id, the ledger's
 * request parameters and the sources' descriptions: fixed ports make two demo runs' packs equal.
 * Below Linux's ephemeral range (32768–60999), so a port another program was handed at random
 * does not collide.
 */
const DEMO_BASE_PORT = 24710;

interface DemoArgs {
  port?: number;
  period?: string;
  tz?: string;
  template?: string;
  out?: string;
  'generated-at'?: string;
  'sign-key'?: string;
  workers?: number;
  json?: boolean;
  engine?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export function registerDemo<T>(yargs: Argv<T>, signal: AbortSignal): Argv<T> {
  return yargs.command<DemoArgs>(
    'demo',
    'Start the built-in API emulators and write evidence packs from their data: no account needed',
    (y) =>
      y
        .option('period', { alias: 'p', type: 'string', default: 'last-month', describe: 'Period to report on (within the last 90 days: CloudTrail and Amplitude retention)' })
        .option('tz', { type: 'string', default: 'America/New_York', describe: 'Time zone of the report' })
        .option('template', { alias: 't', type: 'string', describe: 'One template only (default: one pack per built-in template)' })
        .option('out', { alias: 'o', type: 'string', default: 'reports', describe: 'Folder the packs (and demo-setup/) go in' })
        .option('generated-at', { type: 'string', describe: 'Pin the generated-at time (ISO 8601)' })
        .option('sign-key', { type: 'string', describe: 'PEM private key (Ed25519 or ECDSA P-256) that signs each pack\'s manifest.json into manifest.sig' })
        .option('workers', workersOption)
        .option('port', { type: 'number', default: DEMO_BASE_PORT, describe: 'First of the emulators\' four ports on 127.0.0.1: fixed, so two demo runs give the same pack id (0: any free ports)' })
        .option('json', { type: 'boolean', default: false, describe: 'Print JSON summaries on stdout' })
        .option('engine', { type: 'string', choices: ['files', 'athena'], default: 'files', describe: 'Read the demo CloudTrail log files locally, or through the Athena emulator (cloudtrail-athena)' }),
    async (argv) => {
      const ctx = createCliContext(argv, signal, process.argv.slice(2));
      await runCommand(ctx, async () => {
        const out = resolve(argv.out ?? 'reports');
        const period = parsePeriod({ period: argv.period, timeZone: argv.tz ?? 'America/New_York', now: ctx.clock.now() });
        const { listBuiltinTemplates, loadTemplate } = await import('../../templates/load-template.js');
        const templates = argv.template ? [argv.template] : (await listBuiltinTemplates(templatesDir())).map((t) => t.name);
        // A bad --template is refused before any emulator starts or any setup file is written.
        if (argv.template) await loadTemplate(argv.template, templatesDir());
        if (argv['sign-key']) await (await import('../../pack/sign-manifest.js')).loadSigningKey(resolve(argv['sign-key']));
        const { startDemoStack } = await import('../../demo/demo-stack.js');
        const stackOptions = { dir: resolve(out, 'demo-setup'), period, now: ctx.clock.now(), timeZone: period.timeZone, engine: argv.engine === 'athena' ? ('athena' as const) : ('files' as const) };
        const basePort = argv.port ?? DEMO_BASE_PORT;
        const stack = await startDemoStack({ ...stackOptions, basePort: basePort || undefined }).catch((e: NodeJS.ErrnoException) => {
          if (basePort === 0 || e.code !== 'EADDRINUSE') throw e;
          // The endpoints' ports are in the config, so in the pack id and the ledger: say why this pack's differ.
          ctx.log.warn(`ports ${basePort}–${basePort + 3} are in use: the emulators take free ports, so this pack's id and ledger differ from other demo runs (choose others with --port)`);
          return startDemoStack(stackOptions);
        });
        let worst: number = EXIT.ok;
        try {
          if (!argv.json) {
            ctx.stdout(`auditpack demo: ${stack.emulators.length} emulated sources on 127.0.0.1, period ${period.label} (${period.timeZone})\n`);
            ctx.stdout(`  config used: ${relative(process.cwd(), stack.configFile)}\n\n`);
          }
          for (const template of templates) {
            const result = await runWithProgress(
              { ...ctx, argv: ['run', '--config', stack.configFile, '--period', period.label, '--tz', period.timeZone, '--template', template] },
              {
                configFile: stack.configFile,
                period: argv.period,
                tz: period.timeZone,
                template,
                out: resolve(out, `${template}-${period.label}`),
                force: true,
                generatedAt: argv['generated-at'],
                signKey: argv['sign-key'],
                workers: workersArg(argv.workers),
                env: { ...ctx.env, ...stack.env },
              },
            );
            printPackResult(ctx, result, Boolean(argv.json));
            if (!argv.json) ctx.stdout('\n');
            if (!result.model.complete) worst = EXIT.incomplete;
          }
          if (!argv.json) ctx.stdout('Open report.pdf and report.xlsx in each folder; check a pack with `auditpack verify <folder>`.\n');
        } finally {
          await stack.close();
        }
        return worst;
      });
    },
  );
}
