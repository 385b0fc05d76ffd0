/**
 * The main flags can come from the environment, as the AWS CLI, trivy and steampipe allow, so a
 * CI job or a cron line sets them once: a flag on the command line wins over its variable, and
 * the variable over the config file and the defaults. Only the flags listed here, and only for a
 * command that has the flag, so a variable never turns into an unknown option elsewhere.
 */
export const ENV_FLAGS: readonly { env: string; flag: string; type: 'string' | 'boolean' }[] = [
  { env: 'AUDITPACK_CONFIG', flag: 'config', type: 'string' },
  { env: 'AUDITPACK_PERIOD', flag: 'period', type: 'string' },
  { env: 'AUDITPACK_TZ', flag: 'tz', type: 'string' },
  { env: 'AUDITPACK_TEMPLATE', flag: 'template', type: 'string' },
  { env: 'AUDITPACK_LOG_FORMAT', flag: 'log-format', type: 'string' },
  { env: 'AUDITPACK_QUIET', flag: 'quiet', type: 'boolean' },
  { env: 'AUDITPACK_VERBOSE', flag: 'verbose', type: 'boolean' },
];

const TRUE = new Set(['1', 'true', 'yes', 'on']);

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Whether the command line names the flag or one of its aliases (`--config x`, `--config=x`, `-c x`, `--no-quiet`). */
function given(tokens: readonly string[], names: readonly string[]): boolean {
  const end = tokens.indexOf('--');
  const args = end === -1 ? tokens : tokens.slice(0, end);
  return args.some((t) =>
    names.some((n) => {
      const f = n.length === 1 ? `-${n}` : `--${n}`;
      return t === f || t.startsWith(`${f}=`) || t === `--no-${n}`;
    }),
  );
}

/**
 * yargs middleware (run before validation, so `choices` still apply): fills each listed flag the
 * command has and the command line does not give from its variable.
 */
export function envFlagsMiddleware(env: NodeJS.ProcessEnv, tokens: readonly string[]) {
  return (argv: Record<string, unknown>, y: { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }): void => {
    const opts = y.getOptions();
    for (const { env: name, flag, type } of ENV_FLAGS) {
      const raw = env[name];
      if (raw === undefined || raw === '' || !(flag in opts.key)) continue;
      const names = [flag, ...(opts.alias[flag] ?? [])];
      if (given(tokens, names)) continue;
      const value = type === 'boolean' ? TRUE.has(raw.toLowerCase()) : raw;
      for (const n of new Set([...names, camel(flag)])) argv[n] = value;
    }
  };
}
