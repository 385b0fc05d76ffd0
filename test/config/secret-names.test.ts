import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditpackError } from '../../src/errors.js';
import { describeEnvVariable, isConventionalEnvName, looksLikeSecret, pathMayBeSecret } from '../../src/config/env-name.js';
import { createSecretResolver } from '../../src/config/secrets.js';
import { prepareRun } from '../../src/job/prepare-run.js';
import { sourceRegistry } from '../../src/sources/registry.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { createRedactor } from '../../src/util/redactor.js';
import { expectCleanFailure } from '../e2e/expect-clean-failure.js';
import { cli, tempDir } from '../e2e/harness.js';

/**
 * A secret pasted into an `...Env` field is never printed: the shapes a key takes are refused
 * when the config is read, and one that is still a valid variable name (letters alone, short
 * parts between underscores) is referred to by its field when the variable is not set.
 */

/** Refused when the config is read (their value is not a name a person would choose). */
const REFUSED = {
  mixedCaseAlnum: 'Xq7vTz9KpL2mWn4RbY8sHc3dFg6JkA1e',
  awsSecretLike: 'wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY1',
  hexApiKey: '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b',
  mixedCaseLetters: 'qTzRbWvXnKpLmYsHdJfGcBaE',
};
/** Valid variable names that may still be secrets: accepted, but never repeated. */
const UNSHOWN = {
  shortParts: 'sk_live_TzKpLmWnRbYs',
  lowerHexTail: 'key_9f8e7d6c5b4a',
  upperLetters: 'QWHZKXTRPLMNBVCDFGSJ',
  lowerLetters: 'xkqzptrwmvbnhgfdsjlc',
  upperDigitsInside: 'AKIA2E0A8F3B_XK29QW',
};
const ORDINARY = ['AUDITPACK_TEST_UNSET_KEY', 'TRAIL_LOGS_API_KEY', 'AMPLITUDE_ORG_SECRET_KEY_2', 'K8S_TOKEN', 'AUTHENTICATION_TOKEN'];

const PERIOD = ['--from', '2026-10-01', '--to', '2026-10-01', '--tz', 'UTC'];

/** Prepares a one-day run of the config with no variable set: what fails, and how. */
function prepare(configFile: string): Promise<unknown> {
  return prepareRun({ configFile, from: '2026-10-01', to: '2026-10-01', tz: 'UTC', env: {}, clock: systemClock, log: silentLogger, redactor: createRedactor(), registry: sourceRegistry });
}

/** The error `f` throws; a test failure if it throws none. */
function thrown(f: () => unknown, what: string): AuditpackError {
  try {
    f();
  } catch (e) {
    return e as AuditpackError;
  }
  throw new Error(`${what} resolved`);
}

/** A config with one trail-logs source per value, each naming it as its API key's variable. */
function configWith(apiKeyEnvs: string[]): string {
  const dir = tempDir('ap-secret-names-');
  const file = join(dir, 'auditpack.json');
  // Port 9 (discard): nothing is requested, the secrets are checked first.
  const sources = apiKeyEnvs.map((apiKeyEnv) => ({ type: 'trail-logs', region: 'global', endpoint: 'http://127.0.0.1:9', apiKeyEnv }));
  writeFileSync(file, JSON.stringify({ organization: 'Names Corp', timezone: 'UTC', sources }));
  return file;
}

describe('which values a message may repeat', () => {
  it('the shapes of keys are refused; names people choose pass', () => {
    for (const v of Object.values(REFUSED)) expect(looksLikeSecret(v), v).toBe(true);
    for (const v of [...Object.values(UNSHOWN), ...ORDINARY, 'ServicePrincipalSecret', 'LWA_CLIENT_SECRET']) expect(looksLikeSecret(v), v).toBe(false);
  });

  it('only conventional upper-case names are repeated', () => {
    for (const v of ORDINARY) expect(isConventionalEnvName(v), v).toBe(true);
    for (const v of [...Object.values(UNSHOWN), ...Object.values(REFUSED), 'ServicePrincipalSecret', 'my_token']) expect(isConventionalEnvName(v), v).toBe(false);
    expect(describeEnvVariable('SMAPI_TOKEN', 'sources.s.auth.accessTokenEnv')).toBe('environment variable SMAPI_TOKEN (named by sources.s.auth.accessTokenEnv)');
  });

  it('a ...File path is repeated unless a part of it looks like a key', () => {
    for (const p of ['secrets/amplitude-secret.txt', '/home/ana/.config/auditpack/trail_logs.key', '/tmp/ap-e2e-Xk3QzP/key.txt']) expect(pathMayBeSecret(p), p).toBe(false);
    for (const p of [REFUSED.hexApiKey, 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a']) expect(pathMayBeSecret(p), p).toBe(true);
  });
});

describe('a pasted secret never reaches the terminal', () => {
  it('through the CLI: each refused shape exits 2 without repeating it', async () => {
    const values = Object.values(REFUSED);
    const results = await Promise.all(values.map((v) => cli(['run', '-c', configWith([v]), ...PERIOD, '--out', join(tempDir(), 'pack')], { env: {} })));
    values.forEach((v, i) => {
      expectCleanFailure(results[i], 2, /sources\[0\]\.apiKeyEnv: this must be the name of an environment variable/);
      expect(results[i].stderr + results[i].stdout, v).not.toContain(v);
    });
  });

  it('through the CLI: unset variables with unconventional names are referred to by field, ordinary ones by name', async () => {
    const values = [...Object.values(UNSHOWN), 'AUDITPACK_TEST_UNSET_KEY'];
    const file = configWith(values);
    const r = await cli(['run', '-c', file, ...PERIOD, '--out', join(tempDir(), 'pack')], { env: {} });
    expectCleanFailure(r, 2, /6 secrets are missing: the environment variable named by sources\.trail-logs\.apiKeyEnv \(its name is not shown.*\) is not set; .*environment variable AUDITPACK_TEST_UNSET_KEY \(named by sources\.trail-logs#6\.apiKeyEnv\) is not set — check that each \.\.\.Env field holds the NAME/);
    for (const v of Object.values(UNSHOWN)) expect(r.stderr + r.stdout, v).not.toContain(v);
    // --verbose prints causes and stacks: still not the values.
    const verbose = await cli(['run', '-c', file, ...PERIOD, '--out', join(tempDir(), 'pack'), '--verbose'], { env: {} });
    expect(verbose.code).toBe(2);
    for (const v of Object.values(UNSHOWN)) expect(verbose.stderr + verbose.stdout, v).not.toContain(v);
    // Alone, an ordinary name keeps the plain hint.
    const ordinary = await cli(['run', '-c', configWith(['AUDITPACK_TEST_UNSET_KEY']), ...PERIOD, '--out', join(tempDir(), 'pack')], { env: {} });
    expectCleanFailure(ordinary, 2, /^auditpack: environment variable AUDITPACK_TEST_UNSET_KEY \(named by sources\.trail-logs\.apiKeyEnv\) is not set — export each variable/);
  });

  it('through prepareRun', async () => {
    for (const v of [...Object.values(REFUSED), ...Object.values(UNSHOWN)]) {
      const e = await prepare(configWith([v])).then(
        () => expect.fail(`${v} was accepted with no variable set`),
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(AuditpackError);
      const err = e as AuditpackError;
      expect(err.code).toBe(Object.values(REFUSED).includes(v) ? 'CONFIG_INVALID' : 'SECRET_MISSING');
      expect(`${err.message} ${err.hint ?? ''} ${err.oneLine}`, v).not.toContain(v);
    }
    const ordinary = await prepare(configWith(['TRAIL_LOGS_API_KEY'])).catch((err: unknown) => err);
    expect((ordinary as AuditpackError).message).toBe('environment variable TRAIL_LOGS_API_KEY (named by sources.trail-logs.apiKeyEnv) is not set');
  });

  it('the resolver (at the first pull) names the field, not the value, and ordinary names as before', () => {
    const resolver = createSecretResolver({}, createRedactor(), tempDir());
    for (const v of Object.values(UNSHOWN)) {
      const err = thrown(() => resolver.resolve({ env: v }, 'sources.x.apiKeyEnv'), v);
      expect(err.code).toBe('SECRET_MISSING');
      expect(`${err.message} ${err.hint ?? ''}`).not.toContain(v);
      expect(err.hint).toMatch(/sources\.x\.apiKeyEnv holds the NAME of an environment variable/);
    }
    expect(() => resolver.resolve({ env: 'X_API_KEY' }, 'sources.x.apiKeyEnv')).toThrow(/environment variable X_API_KEY \(named by sources\.x\.apiKeyEnv\) is not set/);
    const fileErr = thrown(() => resolver.resolve({ file: REFUSED.hexApiKey }, 'sources.x.apiKeyFile'), 'the secret file');
    expect(fileErr.message).toMatch(/cannot read the secret file named by sources\.x\.apiKeyFile .*\(ENOENT\)/);
    expect(fileErr.message).not.toContain(REFUSED.hexApiKey);
    expect(fileErr.cause).toBeUndefined();
  });
});
