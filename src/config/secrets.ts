import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AuditpackError } from '../errors.js';
import type { Redactor } from '../util/redactor.js';
import { describeEnvVariable, describeSecretFile, missingEnvHint, pathMayBeSecret } from './env-name.js';

/** Where a secret comes from: the name of an environment variable, or a file the user names. */
export interface SecretRef {
  env?: string;
  file?: string;
}

export interface SecretResolver {
  /**
   * Returns the secret, registering it with the redactor. `at` is the config path that named it
   * (e.g. `sources[0].auth.clientSecretEnv`), for the error message.
   */
  resolve(ref: SecretRef, at: string): string;
  /** As resolve, but undefined when the reference is empty. */
  optional(ref: SecretRef, at: string): string | undefined;
}

/** Where a `...File` secret is: a relative path is from the config file's folder (`baseDir`). */
export function secretFilePath(file: string, baseDir: string): string {
  return resolve(baseDir, file);
}

export function createSecretResolver(env: NodeJS.ProcessEnv, redactor: Redactor, baseDir = process.cwd()): SecretResolver {
  const optional = (ref: SecretRef, at: string): string | undefined => {
    if (ref.env) {
      const v = env[ref.env];
      if (v === undefined || v.trim() === '') {
        throw new AuditpackError('SECRET_MISSING', `${describeEnvVariable(ref.env, at)} is not set`, {
          hint: missingEnvHint(ref.env, at),
        });
      }
      redactor.add(v.trim());
      return v.trim();
    }
    if (ref.file) {
      let v: string;
      try {
        v = readFileSync(secretFilePath(ref.file, baseDir), 'utf8').trim();
      } catch (cause) {
        // The system error repeats the path (shown with --verbose): kept only when the path cannot be a secret.
        const code = (cause as NodeJS.ErrnoException).code;
        throw new AuditpackError('SECRET_MISSING', `cannot read ${describeSecretFile(ref.file, at)}${code ? ` (${code})` : ''}`, {
          ...(pathMayBeSecret(ref.file) ? {} : { cause }),
          hint: 'check the path and its permissions',
        });
      }
      if (!v) throw new AuditpackError('SECRET_MISSING', `${describeSecretFile(ref.file, at)} is empty`);
      redactor.add(v);
      return v;
    }
    return undefined;
  };
  return {
    optional,
    resolve(ref, at) {
      const v = optional(ref, at);
      if (v === undefined) {
        throw new AuditpackError('CONFIG_INVALID', `${at}: no secret named`, {
          hint: 'give the name of an environment variable (…Env) or a file (…File)',
        });
      }
      return v;
    },
  };
}
