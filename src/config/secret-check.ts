import { accessSync, constants, statSync } from 'node:fs';
import { z } from 'zod';
import { AuditpackError } from '../errors.js';
import type { SourceEntry } from './load-config.js';
import { describeEnvVariable, describeSecretFile, ENV_NAME, isConventionalEnvName } from './env-name.js';
import { secretFilePath } from './secrets.js';

/** A secret a source's config names: an environment variable (`…Env`) or a file (`…File`). */
export interface NamedSecret {
  /** Where the config names it: `sources.smapi.auth.clientSecretEnv`. */
  at: string;
  env?: string;
  file?: string;
}

/**
 * Every secret the sources' configs name, found from their schemas: a field `<x>Env` names an
 * environment variable holding a secret; `<x>File` a file holding one, where the schema also has
 * `<x>Env` (so `publicKeysFile`, which has no `publicKeysEnv`, is not a secret).
 */
export function namedSecrets(entries: readonly SourceEntry[]): NamedSecret[] {
  const out: NamedSecret[] = [];
  for (const entry of entries) collect(entry.definition.configSchema, entry.config, `sources.${entry.name}`, out);
  return out;
}

function collect(schema: z.ZodType, value: unknown, at: string, out: NamedSecret[]): void {
  const object = unwrapObject(schema);
  if (!object || typeof value !== 'object' || value === null) return;
  const shape = object.shape as Record<string, z.ZodType>;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(shape)) {
    const v = record[key];
    if (v === undefined) continue;
    if (key.endsWith('Env') && typeof v === 'string') out.push({ at: `${at}.${key}`, env: v });
    else if (key.endsWith('File') && `${key.slice(0, -4)}Env` in shape && typeof v === 'string') out.push({ at: `${at}.${key}`, file: v });
    else collect(shape[key], v, `${at}.${key}`, out);
  }
}

/** The object schema under optional/default/nullable wrappers, if there is one. */
function unwrapObject(schema: z.ZodType): z.ZodObject | null {
  let s: unknown = schema;
  for (let depth = 0; depth < 8 && s; depth++) {
    if (s instanceof z.ZodObject) return s;
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap();
    else if (s instanceof z.ZodPipe) s = s.in;
    else return null;
  }
  return null;
}

/**
 * Checks, before any request, that every named secret is there: the variable is set and not
 * blank, the file is a readable, non-empty regular file. Values are not read (a file's size and
 * permissions are enough), so nothing secret is held or printed; every missing one is named in
 * one line.
 */
export function checkSecretsPresent(secrets: readonly NamedSecret[], env: NodeJS.ProcessEnv, baseDir: string): void {
  const problems: string[] = [];
  let unshownName = false;
  for (const s of secrets) {
    if (s.env !== undefined) {
      if (!ENV_NAME.test(s.env)) problems.push(`${s.at} does not hold the name of an environment variable (its value is not shown: it may be a secret)`);
      else if ((env[s.env] ?? '').trim() === '') {
        problems.push(`${describeEnvVariable(s.env, s.at)} is not set`);
        unshownName ||= !isConventionalEnvName(s.env);
      }
    } else if (s.file !== undefined) {
      const problem = fileProblem(secretFilePath(s.file, baseDir));
      if (problem) problems.push(`${describeSecretFile(s.file, s.at)} ${problem}`);
    }
  }
  if (problems.length === 0) return;
  throw new AuditpackError('SECRET_MISSING', problems.length === 1 ? problems[0] : `${problems.length} secrets are missing: ${problems.join('; ')}`, {
    hint:
      (unshownName ? 'check that each ...Env field holds the NAME of an environment variable (such as API_KEY), not the secret itself; ' : '') +
      'export each variable (or name a file instead) before running; nothing was requested yet',
  });
}

function fileProblem(path: string): string | null {
  try {
    const info = statSync(path);
    if (!info.isFile()) return 'is not a file';
    if (info.size === 0) return 'is empty';
    accessSync(path, constants.R_OK);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code})`;
  }
}
