import type { Argv } from 'yargs';
import { EXIT } from '../../errors.js';
import { createCliContext, runCommand } from '../context.js';

export function registerSchema<T>(yargs: Argv<T>, signal: AbortSignal): Argv<T> {
  return yargs.command<{ verbose?: boolean; quiet?: boolean }>(
    'schema',
    'Print the JSON Schema of the config file (shipped as schema/auditpack.schema.json)',
    (y) => y,
    async (argv) => {
      const ctx = createCliContext(argv, signal, process.argv.slice(2));
      await runCommand(ctx, async () => {
        const [{ configJsonSchemaText }, { sourceRegistry }] = await Promise.all([import('../../config/json-schema.js'), import('../../sources/registry.js')]);
        ctx.stdout(await configJsonSchemaText(sourceRegistry));
        return EXIT.ok;
      });
    },
  );
}
