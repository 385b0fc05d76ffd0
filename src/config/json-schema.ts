import { z } from 'zod';
import { businessHoursSchema } from '../rules/business-hours.js';
import { loadSourceDefinitions, type AnySourceDefinition, type SourceRegistry } from './load-config.js';
import { configSchema } from './config-schema.js';

/** Where the schema ships in the package, and what `$schema` names in a config beside a local install. */
export const SCHEMA_FILE = 'schema/auditpack.schema.json';
export const SCHEMA_REF = `./node_modules/auditpack/${SCHEMA_FILE}`;

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema> };

/**
 * The JSON Schema of a config file, generated from the same zod schemas `loadConfig` checks with
 * (the top level, business hours, and each registered source type's own schema), so a source
 * type or key added in code is in the schema at the next `npm run schema`. Editors complete and
 * check a config with it; checks zod makes in code (one of two keys, a time after another) are
 * only in zod.
 */
export function configJsonSchema(definitions: Readonly<Record<string, AnySourceDefinition>>): JsonSchema {
  const input = (schema: z.ZodType): JsonSchema => {
    const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    return rest;
  };
  const top = input(configSchema);
  const props = top.properties!;
  props.$schema = { type: 'string', description: 'This schema, for editors: ' + SCHEMA_REF };
  props.businessHours = { ...input(businessHoursSchema), description: 'Working hours in the report time zone, for the outside-business-hours rules' };
  const types = Object.keys(definitions).sort();
  props.sources = {
    type: 'array',
    minItems: 1,
    description: `The audit-log APIs to pull from: ${types.join(', ')}`,
    items: {
      oneOf: types.map((type) => ({ title: type, ...input(definitions[type].configSchema) })),
    },
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'auditpack config',
    description: 'The config file of auditpack (auditpack run -c FILE). Secrets are never in it: ...Env keys name environment variables, ...File keys name files.',
    ...top,
  };
}

/** The schema as the shipped file holds it (every registered type): stable key order, two-space indent, final newline. */
export async function configJsonSchemaText(registry: SourceRegistry): Promise<string> {
  return JSON.stringify(configJsonSchema(await loadSourceDefinitions(registry)), null, 2) + '\n';
}
