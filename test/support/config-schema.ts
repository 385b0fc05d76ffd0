import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { SCHEMA_FILE } from '../../src/config/json-schema.js';

// ajv-formats is CommonJS: its plugin is the module's default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

export const SHIPPED_SCHEMA_TEXT = readFileSync(join(resolve(import.meta.dirname, '../..'), SCHEMA_FILE), 'utf8');

/** The shipped config schema compiled by a real JSON Schema (2020-12) validator, formats included. */
export function schemaValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  ajv.addSchema(JSON.parse(SHIPPED_SCHEMA_TEXT) as Record<string, unknown>, 'config');
  return {
    config: (c: unknown) => ({ ok: ajv.validate('config', c), errors: ajv.errorsText(ajv.errors) }),
    source: (s: unknown) => ({ ok: ajv.validate('config#/properties/sources/items', s), errors: ajv.errorsText(ajv.errors) }),
  };
}
