import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { AuditpackError, EXIT } from '../../errors.js';
import { parseFault } from '../../emulators/kit/faults.js';
import { parsePeriod } from '../../period/parse-period.js';
import { createCliContext, runCommand } from '../context.js';

interface EmulateArgs {
  period?: string;
  tz?: string;
  dir?: string;
  port?: number;
  fault?: string[];
  verbose?: boolean;
  quiet?: boolean;
}

export function registerEmulate<T>(yargs: Argv<T>, signal: AbortSignal): Argv<T> {
  return yargs.command<EmulateArgs>(
    'emulate',
    'Keep the API emulators running for manual use; prints their URLs, credentials and a ready config',
    (y) =>
      y
        .option('period', { alias: 'p', type: 'string', default: 'last-month', describe: 'The data sets cover this period' })
        .option('tz', { type: 'string', default: 'America/New_York' })
        .option('dir', { type: 'string', default: 'reports/emulate-setup', describe: 'Where the config and requester directory are written' })
        .option('port', { type: 'number', default: 0, describe: 'First port (smapi); the others follow (0: any free ports)' })
        .option('fault', { type: 'string', array: true, describe: 'Inject a fault: SOURCE=SPEC[@N] e.g. smapi=429:2@5 (every 5th request), trail-logs=reset' })
        .example('$0 emulate --fault smapi=503@4', 'every 4th SMAPI request answers 503')
        .example("curl -XPOST $URL/__emulator/faults -d '{\"enqueue\":[\"429:1\"]}'", 'switch faults while it runs'),
    async (argv) => {
      const ctx = createCliContext(argv, signal, process.argv.slice(2));
      await runCommand(ctx, async () => {
        const period = parsePeriod({ period: argv.period, timeZone: argv.tz ?? 'UTC', now: ctx.clock.now() });
        const { startDemoStack } = await import('../../demo/demo-stack.js');
        const stack = await startDemoStack({ dir: resolve(argv.dir ?? 'reports/emulate-setup'), period, now: ctx.clock.now(), timeZone: period.timeZone, basePort: argv.port || undefined });
        try {
          for (const spec of argv.fault ?? []) applyFault(stack.emulators, spec);
          const lines = [`Emulators running on 127.0.0.1 with data around ${period.label} (Ctrl-C to stop):`];
          for (const e of stack.emulators) lines.push(`  ${e.name.padEnd(17)} ${e.url}${e.notes.length ? `  (${e.notes.join('; ')})` : ''}`);
          lines.push('', `Config: ${stack.configFile}`, 'Demo credentials (set these, then run `auditpack run --config <that file>`):');
          for (const [k, v] of Object.entries(stack.env)) lines.push(`  export ${k}=${shellQuote(v)}`);
          lines.push('', 'Faults: POST <url>/__emulator/faults {"enqueue":["429:1","503","reset","truncate","slow:2000"],"every":[{"n":5,"fault":"503"}],"clear":true}');
          ctx.stdout(lines.join('\n') + '\n');
          await new Promise<void>((resolveWait) => signal.addEventListener('abort', () => resolveWait(), { once: true }));
        } finally {
          await stack.close();
        }
        return EXIT.ok;
      });
    },
  );
}

function applyFault(emulators: { name: string; faults: import('../../emulators/kit/faults.js').FaultController | null }[], spec: string): void {
  const m = spec.match(/^([a-z-]+)=([^@]+)(?:@(\d+))?$/);
  const target = m ? emulators.find((e) => e.name === m[1]) : undefined;
  if (!m || !target?.faults) {
    throw new AuditpackError('USAGE', `--fault "${spec}" is not SOURCE=SPEC[@N]`, { hint: `sources: ${emulators.filter((e) => e.faults).map((e) => e.name).join(', ')}; specs: 429[:retryAfter], 500, 503, reset, slow:MS, slow-body:MS, truncate` });
  }
  let fault;
  try {
    fault = parseFault(m[2]);
  } catch (e) {
    throw new AuditpackError('USAGE', (e as Error).message);
  }
  if (m[3]) target.faults.every(Number(m[3]), fault);
  else target.faults.enqueue(fault);
}

/** POSIX single quotes: the demo refresh token holds a `|`, which a pasted line would run as a pipe. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
