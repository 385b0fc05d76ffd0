import type { Argv } from 'yargs';
import { EXIT } from '../../errors.js';
import { templatesDir } from '../../package-info.js';
import { createCliContext, runCommand } from '../context.js';

export function registerTemplates<T>(yargs: Argv<T>, signal: AbortSignal): Argv<T> {
  return yargs.command<{ json?: boolean; verbose?: boolean; quiet?: boolean }>(
    'templates',
    'List the built-in report templates',
    (y) => y.option('json', { type: 'boolean', default: false }),
    async (argv) => {
      const ctx = createCliContext(argv, signal, process.argv.slice(2));
      await runCommand(ctx, async () => {
        const { listBuiltinTemplates } = await import('../../templates/load-template.js');
        const list = await listBuiltinTemplates(templatesDir());
        if (argv.json) ctx.stdout(JSON.stringify(list, null, 2) + '\n');
        else {
          const w = Math.max(...list.map((t) => t.name.length));
          ctx.stdout(list.map((t) => `${t.name.padEnd(w)}  ${t.description}`).join('\n') + '\n');
        }
        return EXIT.ok;
      });
    },
  );
}
