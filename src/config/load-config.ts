import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { AuditpackError } from '../errors.js';
import type { AnySource, SourceDefinition } from '../sources/source.js';
import { configSchema, type RawConfig } from './config-schema.js';
import { describeZodError } from './zod-error.js';
import { jsonErrorLocation } from '../templates/format-issue.js';

export interface SourceEntry {
  definition: AnySourceDefinition;
  /** The entry as validated by its type's schema. */
  config: { type: string; name?: string };
  /** Unique name: the entry's `name`, else its type (type#2, type#3 for repeats). */
  name: string;
  at: string;
}

export interface LoadedConfig {
  file: string;
  dir: string;
  raw: RawConfig;
  sources: SourceEntry[];
  /** The file's text, for the pack's fingerprint (it holds no secrets: only their names). */
  text: string;
}

export type AnySourceDefinition = SourceDefinition<{ type: string; name?: string }, AnySource>;

/** Source types by name, each with the loader of its module (loaded only when a config names the type). */
export type SourceRegistry = Readonly<Record<string, () => Promise<AnySourceDefinition>>>;

/** The definitions of the named types (default: every registered type), each module loaded once. */
export async function loadSourceDefinitions(registry: SourceRegistry, types: readonly string[] = Object.keys(registry)): Promise<Record<string, AnySourceDefinition>> {
  const unique = [...new Set(types)];
  const loaded = await Promise.all(unique.map((type) => registry[type]()));
  return Object.fromEntries(unique.map((type, i) => [type, loaded[i]]));
}

export async function loadConfig(file: string, registry: SourceRegistry): Promise<LoadedConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new AuditpackError('CONFIG_NOT_FOUND', `cannot read the config file ${file}`, { cause, hint: 'check the --config path' });
  }
  return parseConfig(text, path, registry);
}

async function parseConfig(text: string, path: string, registry: SourceRegistry): Promise<LoadedConfig> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const where = jsonErrorLocation(text, cause);
    throw new AuditpackError('CONFIG_INVALID', `${path} is not valid JSON${where ? ` at ${where}` : ''}`, {
      cause,
      hint: 'fix the syntax (a missing comma or quote, or a trailing comma)',
    });
  }
  const top = configSchema.safeParse(json);
  if (!top.success) throw new AuditpackError('CONFIG_INVALID', `${path}: ${describeZodError(top.error)}`);
  // Own keys only: "__proto__" or "constructor" must not find Object.prototype's members.
  const known = (type: string) => Object.hasOwn(registry, type);
  const definitions = await loadSourceDefinitions(registry, top.data.sources.map((entry) => entry.type).filter(known));
  const names = new Map<string, number>();
  const sources: SourceEntry[] = top.data.sources.map((entry, i) => {
    const at = `sources[${i}]`;
    const definition = known(entry.type) ? definitions[entry.type] : undefined;
    if (!definition) {
      throw new AuditpackError('CONFIG_INVALID', `${path}: ${at}.type: unknown source type ${JSON.stringify(entry.type)}`, {
        hint: `use one of: ${Object.keys(registry).join(', ')}`,
      });
    }
    const parsed = definition.configSchema.safeParse(entry);
    if (!parsed.success) throw new AuditpackError('CONFIG_INVALID', `${path}: ${describeZodError(parsed.error, at)}`);
    const base = parsed.data.name ?? parsed.data.type;
    const n = (names.get(base) ?? 0) + 1;
    names.set(base, n);
    if (n > 1 && parsed.data.name) {
      throw new AuditpackError('CONFIG_INVALID', `${path}: ${at}.name: "${base}" is used by another source`, { hint: 'give each source a unique name' });
    }
    return { definition, config: parsed.data, name: n > 1 ? `${base}#${n}` : base, at };
  });
  return { file: path, dir: dirname(path), raw: top.data, sources, text };
}
