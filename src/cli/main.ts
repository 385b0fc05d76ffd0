#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT } from '../errors.js';
import { toolVersion } from '../package-info.js';
import { registerAthenaTable } from './commands/athena-table.js';
import { registerDemo } from './commands/demo.js';
import { registerEmulate } from './commands/emulate.js';
import { registerInit } from './commands/init.js';
import { registerPlan } from './commands/plan.js';
import { registerRun } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerTemplates } from './commands/templates.js';
import { registerVerify } from './commands/verify.js';
import { ENV_FLAGS, envFlagsMiddleware } from './env-flags.js';
import { usageErrorLine } from './usage-error.js';

const EPILOG = `Exit codes:
  0   pack complete (verify: intact and complete)
  1   pack written but INCOMPLETE: a window failed (see coverage.json)
  2   bad input: usage, config, period, time zone, template, missing secret
  3   access refused by a source (401/403, unknown vendor)
  4   a source could not be reached (connection refused, DNS)
  5   verify: a file changed, is missing or is not in the manifest, or a file type is refused
  70  internal error (a bug: report it with the --verbose output)
  73  the pack could not be written: disk full, read-only folder, no permission, --out under a file
  130 interrupted (Ctrl-C or SIGTERM; run the same command again to resume)`;

// The AWS SDK prints a Node.js-version notice on every run under Node 20, which auditpack supports.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const controller = new AbortController();
let interrupts = 0;
const interrupt = () => {
  // The first signal stops cleanly (what was pulled is kept for a resume); a second one exits at once.
  if (++interrupts > 1) process.exit(EXIT.interrupted);
  controller.abort(Object.assign(new Error('interrupted'), { name: 'AbortError' }));
};
// SIGTERM (kill, a CI job's timeout, systemd, docker stop) is a request to stop, as Ctrl-C is.
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);
// `auditpack plan | head`: the reader went away; what it did not read is not an error of ours.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
  throw e;
});

const tokens = hideBin(process.argv);
const COMMANDS = ['run', 'plan', 'verify', 'demo', 'emulate', 'templates', 'init', 'schema', 'athena-table', 'completion'];
const ENVIRONMENT = `Environment (a flag on the command line wins):
${ENV_FLAGS.map((f) => `  ${f.env.padEnd(22)} --${f.flag}`).join('\n')}`;

let knownOptions: string[] = [];
let cli = yargs(tokens)
  .scriptName('auditpack')
  .usage('auditpack <command> [options]\n\nTurns audit logs into compliance evidence packs.')
  .option('verbose', { type: 'boolean', default: false, describe: 'Log every step, and show stack traces on errors', global: true })
  .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress lines, warnings off', global: true })
  .option('log-format', { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'Progress and log lines on stderr: text, or one JSON object per line', global: true });
cli = registerRun(cli, controller.signal);
cli = registerPlan(cli, controller.signal);
cli = registerVerify(cli, controller.signal);
cli = registerDemo(cli, controller.signal);
cli = registerEmulate(cli, controller.signal);
cli = registerTemplates(cli, controller.signal);
cli = registerInit(cli, controller.signal);
cli = registerAthenaTable(cli, controller.signal);
cli = registerSchema(cli, controller.signal);

await cli
  .demandCommand(1, 'name a command: run, plan, verify, demo, emulate, templates, init, schema or athena-table')
  .completion('completion', 'Print a bash/zsh completion script: auditpack completion >> ~/.bashrc (or ~/.zshrc)')
  .middleware(envFlagsMiddleware(process.env, tokens) as never, true)
  // The command's option names, for "did you mean" when validation then refuses one.
  .middleware(((_: unknown, y: { getOptions(): { key: Record<string, unknown> } }) => {
    knownOptions = Object.keys(y.getOptions().key);
  }) as never, true)
  // AUDITPACK_CHECK_ARGS=1: parse and validate the command line, then stop before running it
  // (checks the auditpack lines of a CI workflow or a crontab: docs/ci.md).
  .middleware(() => {
    if (process.env.AUDITPACK_CHECK_ARGS === '1') {
      process.stdout.write('auditpack: command line accepted\n');
      process.exit(EXIT.ok);
    }
  })
  .strict()
  .epilog(`${EPILOG}\n\n${ENVIRONMENT}`)
  .version(toolVersion())
  .help()
  .wrap(Math.min(110, process.stdout.columns || 100))
  .fail((msg, err) => {
    // Usage errors: one line and exit 2 (yargs would print the whole help and exit 1).
    if (err) throw err;
    process.stderr.write(`${usageErrorLine(msg, tokens, COMMANDS, knownOptions)}\n`);
    process.exit(EXIT.badInput);
  })
  .parseAsync();
