import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { configSchema } from '../../config/config-schema.js';
import { describeZodError } from '../../config/zod-error.js';
import { AuditpackError } from '../../errors.js';
import { jsonErrorLocation } from '../../templates/format-issue.js';
import { cloudtrailAthenaConfigSchema, type CloudtrailAthenaConfig } from './config.js';

/**
 * The cloudtrail-athena source of a config file (the one named `sourceName`, or the only one),
 * validated by its schema. Commands about the Athena table need only that entry.
 */
export async function readAthenaSourceConfig(file: string, sourceName?: string): Promise<CloudtrailAthenaConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new AuditpackError('CONFIG_NOT_FOUND', `cannot read the config file ${file}`, { cause, hint: 'check the --config path' });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const where = jsonErrorLocation(text, cause);
    throw new AuditpackError('CONFIG_INVALID', `${path} is not valid JSON${where ? ` at ${where}` : ''}`, { cause, hint: 'fix the syntax (a missing comma or quote, or a trailing comma)' });
  }
  const top = configSchema.safeParse(json);
  if (!top.success) throw new AuditpackError('CONFIG_INVALID', `${path}: ${describeZodError(top.error)}`);
  const entries = top.data.sources.map((s, i) => ({ s, at: `sources[${i}]` })).filter(({ s }) => s.type === 'cloudtrail-athena');
  const named = sourceName === undefined ? entries : entries.filter(({ s }) => (s.name ?? s.type) === sourceName);
  if (named.length !== 1) {
    const names = entries.map(({ s }) => s.name ?? s.type);
    throw new AuditpackError(
      'CONFIG_INVALID',
      named.length === 0
        ? `${path}: no cloudtrail-athena source${sourceName !== undefined ? ` named "${sourceName}"` : ''}`
        : `${path}: ${named.length} cloudtrail-athena sources (${names.join(', ')})`,
      { hint: named.length === 0 ? 'add a source of type "cloudtrail-athena" (see docs/sources/cloudtrail-athena.md)' : 'name one with --source' },
    );
  }
  const parsed = cloudtrailAthenaConfigSchema.safeParse(named[0].s);
  if (!parsed.success) throw new AuditpackError('CONFIG_INVALID', `${path}: ${describeZodError(parsed.error, named[0].at)}`);
  return parsed.data;
}
