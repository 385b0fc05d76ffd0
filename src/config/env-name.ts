/**
 * What a `...Env` config value (the NAME of an environment variable holding a secret) may be
 * called in a message. A secret pasted there by mistake is refused when it looks like one
 * (`looksLikeSecret`), but no test can tell every key from a name: a token of letters alone, or
 * one cut into short parts by underscores, is also a valid variable name. So a message repeats
 * the value only when it reads like a name people choose (upper-case words joined by
 * underscores, `SMAPI_CLIENT_SECRET`, `AMPLITUDE_API_KEY_2`); any other value is referred to by
 * the config field that holds it.
 */

/** What a shell accepts as a variable name (POSIX: letters, digits, underscore; not a digit first). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * True when `value`, given where the NAME of an environment variable belongs, is more likely the
 * secret itself: not a variable name at all, a run of 32 or more characters no word is as long
 * as, or a run of 16 or more mixing letters and digits, or upper and lower case, the way keys and
 * tokens do ("AKIA…", "ghp_…", a 32-character hex key). Conventional names (`SMAPI_CLIENT_SECRET`, `AMPLITUDE_API_KEY_2`,
 * `ServicePrincipalSecret`) pass.
 */
export function looksLikeSecret(value: string): boolean {
  if (!ENV_NAME.test(value)) return true;
  return value.split('_').some((part) => part.length >= 32 || (part.length >= 16 && (mixesLettersAndDigits(part) || mixesCases(part))));
}

function mixesLettersAndDigits(part: string): boolean {
  return /[0-9]/.test(part) && /[A-Za-z]/.test(part);
}

/**
 * Upper and lower case each a quarter or more of the letters: random keys are about half and
 * half, while camel-case names have one capital a word (`ServicePrincipalSecret`: 3 of 22).
 */
function mixesCases(part: string): boolean {
  const upper = part.replace(/[^A-Z]/g, '').length;
  const lower = part.replace(/[^a-z]/g, '').length;
  return Math.min(upper, lower) * 4 >= upper + lower;
}

/**
 * True when `value` reads like a variable name someone chose, so repeating it cannot print a
 * secret: upper case, at most 64 characters, each underscore-separated part either short (up to
 * 8 characters: `S3`, `K8S`, `V2`) or an upper-case word of up to 14 letters with digits only at
 * its end (`AUTHENTICATION`, `TOKEN2`). A random key rarely fits: mixed case, or a long run with
 * a digit inside it, or a part longer than any word. (Every such name also passes
 * `looksLikeSecret`: no part reaches its 16 characters.)
 */
export function isConventionalEnvName(value: string): boolean {
  if (value.length > 64 || !/^[A-Z_][A-Z0-9_]*$/.test(value)) return false;
  return value.split('_').every((part) => part.length <= 8 || (part.length <= 14 && /^[A-Z]+[0-9]*$/.test(part)));
}

/**
 * How a message names the variable a config field names: `environment variable SMAPI_TOKEN
 * (named by sources.smapi.auth.accessTokenEnv)` for a conventional name, else the field alone,
 * its value not shown.
 */
export function describeEnvVariable(name: string, at: string): string {
  return isConventionalEnvName(name) ? `environment variable ${name} (named by ${at})` : `the environment variable named by ${at} (its name is not shown: it does not look like a variable name and may be a secret)`;
}

/** What to do when that variable is not set, without repeating a name that may be a secret. */
export function missingEnvHint(name: string, at: string): string {
  return isConventionalEnvName(name)
    ? `export ${name}=... before running, or name a file instead`
    : `check that ${at} holds the NAME of an environment variable (such as API_KEY), not the secret itself, and export that variable before running`;
}

/**
 * True when a `...File` value may be a pasted secret rather than a path: one of its parts
 * (between `/`, `.`, `-` and spaces) looks like a key, or is a run of 16 or more characters a
 * name would not hold (`+`, `=`: base64).
 */
export function pathMayBeSecret(path: string): boolean {
  return path.split(/[/\\.\-\s]+/).some((part) => part !== '' && (ENV_NAME.test(part) ? looksLikeSecret(part) : part.length >= 16));
}

/** How a message names a secret file: its path, unless the path may be a pasted secret. */
export function describeSecretFile(path: string, at: string): string {
  return pathMayBeSecret(path) ? `the secret file named by ${at} (its value is not shown: it may be a secret)` : `the secret file ${path} (named by ${at})`;
}
