import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Argv } from 'yargs';
import { AuditpackError, EXIT } from '../../errors.js';
import { packageRoot } from '../../package-info.js';
import { createCliContext, runCommand } from '../context.js';

interface InitArgs {
  source?: string[];
  out?: string;
  tz?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export function registerInit<T>(yargs: Argv<T>, signal: AbortSignal): Argv<T> {
  return yargs.command<InitArgs>(
    'init',
    'Write a starter config file: the sources you name, placeholders to fill in, the environment variables for secrets',
    (y) =>
      y
        .option('source', { alias: 's', type: 'string', array: true, describe: 'A source type to configure: smapi, cloudtrail, cloudtrail-files, trail-logs, amplitude… (repeat for several)' })
        .option('out', { alias: 'o', type: 'string', default: 'auditpack.json', describe: 'Config file to write (never overwritten)' })
        .option('tz', { type: 'string', describe: 'Time zone of the reports (default: this machine\'s)' })
        .example('$0 init --source smapi --source cloudtrail-files', 'auditpack.json for SMAPI and a trail bucket')
        .example('$0 init -s amplitude --out configs/amplitude.json', 'another file name'),
    async (argv) => {
      const ctx = createCliContext(argv, signal, process.argv.slice(2));
      await runCommand(ctx, async () => {
        const [{ starterConfig }, { SCHEMA_FILE, SCHEMA_REF }, { sourceRegistry }, { closest }] = await Promise.all([
          import('../../config/starter-config.js'),
          import('../../config/json-schema.js'),
          import('../../sources/registry.js'),
          import('../../util/suggest.js'),
        ]);
        const known = Object.keys(sourceRegistry);
        const types = [...new Set(argv.source ?? [])];
        if (types.length === 0) {
          throw new AuditpackError('USAGE', 'name at least one source to configure', { hint: `--source ${known[0]} (one of: ${known.join(', ')}; repeat for several)` });
        }
        for (const t of types) {
          if (!known.includes(t)) {
            const near = closest(t, known);
            throw new AuditpackError('USAGE', `unknown source type "${t}"`, { hint: `${near ? `did you mean --source ${near}? ` : ''}one of: ${known.join(', ')}` });
          }
        }
        const out = resolve(argv.out ?? 'auditpack.json');
        // This auditpack's own schema when it is installed below the config's folder (./node_modules/auditpack/…),
        // else the path a local install (`npm i -D auditpack`) gives: never a path out of the project.
        const schemaPath = relative(dirname(out), join(packageRoot(), SCHEMA_FILE)).split(sep).join('/');
        const schemaRef = schemaPath.startsWith('..') || isAbsolute(schemaPath) ? SCHEMA_REF : `./${schemaPath}`;
        const timeZone = argv.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
        const starter = starterConfig(types, { timeZone, schemaRef });
        await mkdir(dirname(out), { recursive: true });
        try {
          await writeFile(out, JSON.stringify(starter.config, null, 2) + '\n', { flag: 'wx' });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
            throw new AuditpackError('USAGE', `${argv.out} already exists: init never overwrites a config`, { hint: 'choose another --out, or remove the file first', cause: e });
          }
          throw e;
        }
        const shown = relative(process.cwd(), out) || out;
        const steps = [
          `Replace the placeholders (YOUR…, your-…, the account id) in ${shown}; an editor completes and checks it with the JSON Schema $schema names (\`auditpack schema\` prints it).`,
          ...(starter.envNames.length ? [`Set the environment variables it names (secrets never go in the file): ${starter.envNames.join(', ')}.`] : []),
          ...(starter.usesAws ? ['AWS credentials come from the standard chain: AWS_PROFILE, environment variables, SSO or a role.'] : []),
          `auditpack plan -c ${shown}     # the windows and requests, no network`,
          `auditpack run -c ${shown} --period last-month`,
        ];
        ctx.stdout(`Wrote ${shown} (${types.join(', ')}). Next:\n${steps.map((s, i) => `  ${i + 1}. ${s}`).join('\n')}\n`);
        return EXIT.ok;
      });
    },
  );
}
