import { EXIT } from '../errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { createLogger, type Logger } from '../util/logger.js';
import { createRedactor, type Redactor } from '../util/redactor.js';
import { withErrorBoundary } from './error-boundary.js';

/** What every command gets: built once per invocation in main.ts, passed down, never global. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  clock: Clock;
  redactor: Redactor;
  log: Logger;
  verbose: boolean;
  stdout: (text: string) => void;
  stderr: (line: string) => void;
  stderrIsTty: boolean;
  /** How progress shows on stderr: off with --quiet, JSON lines with --log-format json, else by whether stderr is a TTY. */
  progressMode: 'tty' | 'plain' | 'json' | 'off';
  signal: AbortSignal;
  argv: string[];
}

export interface GlobalFlags {
  verbose?: boolean;
  quiet?: boolean;
  'log-format'?: string;
}

export function createCliContext(flags: GlobalFlags, signal: AbortSignal, argv: string[]): CliContext {
  const redactor = createRedactor();
  const stderr = (line: string) => process.stderr.write(line + '\n');
  const json = flags['log-format'] === 'json';
  return {
    env: process.env,
    clock: systemClock,
    redactor,
    log: createLogger({ level: flags.verbose ? 'debug' : flags.quiet ? 'error' : 'warn', redactor, write: stderr, format: json ? 'json' : 'text' }),
    verbose: Boolean(flags.verbose),
    stdout: (text) => process.stdout.write(text),
    stderr,
    stderrIsTty: Boolean(process.stderr.isTTY) && !flags.quiet,
    progressMode: flags.quiet ? 'off' : json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain',
    signal,
    argv,
  };
}

/** Runs a command body inside the error boundary and sets the process exit code. */
export async function runCommand(ctx: CliContext, body: () => Promise<number>): Promise<void> {
  const code = await withErrorBoundary({ stderr: ctx.stderr, verbose: ctx.verbose, redactor: ctx.redactor }, body);
  process.exitCode = code ?? EXIT.ok;
}
