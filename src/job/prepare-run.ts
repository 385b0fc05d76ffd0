import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { AuditpackError } from '../errors.js';
import type { PeriodInfo } from '../model/report-model.js';
import type { TimeWindow } from '../model/window.js';
import { loadConfig, type LoadedConfig, type SourceRegistry } from '../config/load-config.js';
import { createSecretResolver } from '../config/secrets.js';
import { checkSecretsPresent, namedSecrets } from '../config/secret-check.js';
import { parsePeriod } from '../period/parse-period.js';
import { checkRetention, planWindows } from '../period/plan-windows.js';
import type { AnySource, SourceDeps } from '../sources/source.js';
import { createHttpClient } from '../http/client.js';
import { createRateLimiterRegistry } from '../http/rate-limiter.js';
import { loadTemplate } from '../templates/load-template.js';
import type { Template } from '../templates/template.js';
import { templatesDir } from '../package-info.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Redactor } from '../util/redactor.js';

export interface PeriodOptions {
  period?: string;
  from?: string;
  to?: string;
  tz?: string;
}

export interface PrepareOptions extends PeriodOptions {
  configFile?: string;
  /** Already loaded (demo); wins over configFile. */
  config?: LoadedConfig;
  template?: string;
  /** Validate CloudTrail digest chains for every cloudtrail-files source (as if its config said so). */
  verifyDigests?: boolean;
  /** Worker threads for sources that parse files (`--workers`); the pack is the same whatever the number. */
  workers?: number;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  log: Logger;
  redactor: Redactor;
  registry: SourceRegistry;
}

export interface PreparedRun {
  config: LoadedConfig;
  period: PeriodInfo;
  template: Template;
  sources: AnySource[];
  plans: Map<string, TimeWindow[]>;
  /** What identifies the run: same parameters, same pack id; a resumed run must match them. */
  parameters: Record<string, unknown>;
}

/**
 * Everything a run needs before the first request: config, period, template, sources and their
 * window plans. All input errors surface here, before any network traffic or any file written.
 */
export async function prepareRun(opts: PrepareOptions): Promise<PreparedRun> {
  const config = opts.config ?? (await loadConfig(requireConfig(opts.configFile), opts.registry));
  const timeZone = opts.tz ?? config.raw.timezone ?? 'UTC';
  const period = parsePeriod({ period: opts.period, from: opts.from, to: opts.to, timeZone, now: opts.clock.now() });
  checkPeriodLength(period, config.raw.maxPeriodDays ?? DEFAULT_MAX_PERIOD_DAYS, config.file);
  const template = await loadTemplate(opts.template ?? config.raw.template ?? 'soc2-monthly', templatesDir());
  // Every source's secrets are checked (present, not read) before any source pulls: a missing
  // one is named now, not after the other sources' windows were pulled.
  checkSecretsPresent(namedSecrets(config.sources), opts.env, config.dir);
  const secrets = createSecretResolver(opts.env, opts.redactor, config.dir);
  const deps: SourceDeps = {
    secrets,
    redactor: opts.redactor,
    log: opts.log,
    clock: opts.clock,
    createHttpClient: (o) => createHttpClient(o, { clock: opts.clock, log: opts.log }),
    rateLimiters: createRateLimiterRegistry(),
    configDir: config.dir,
    env: opts.env,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
  };
  const sources = config.sources.map((entry) => {
    const digests = opts.verifyDigests && entry.config.type === 'cloudtrail-files' ? { verifyDigests: true } : {};
    return entry.definition.create({ ...entry.config, ...digests, name: entry.name }, deps);
  });
  const plans = new Map<string, TimeWindow[]>();
  for (const source of sources) {
    checkRetention(source.name, period, source.policy, opts.clock.now());
    plans.set(source.name, planWindows(period, source.policy));
  }
  const parameters = {
    period: period.label,
    periodStartUtc: period.startUtc,
    periodEndUtc: period.endUtc,
    timeZone: period.timeZone,
    template: template.name,
    organization: config.raw.organization,
    configSha256: createHash('sha256').update(config.text).digest('hex'),
    sources: sources.map((s) => ({ name: s.name, type: s.type, description: s.description })),
    ...(opts.verifyDigests ? { verifyDigests: true } : {}),
  };
  return { config, period, template, sources, plans, parameters };
}

/** A year, leap or not: a period beyond it is almost always a typo (2062 for 2026) and would pull for hours. */
export const DEFAULT_MAX_PERIOD_DAYS = 366;

function checkPeriodLength(period: PeriodInfo, maxDays: number, configFile: string): void {
  const days = (period.end - period.start) / 86_400_000;
  if (days <= maxDays + 1 / 24) return; // an hour's grace: a DST change inside a period of maxDays local days
  throw new AuditpackError('PERIOD_INVALID', `the period ${period.label} is ${Math.round(days).toLocaleString('en-US')} days long; the longest allowed is ${maxDays}`, {
    hint: `check --period/--from/--to, or raise maxPeriodDays in ${configFile}`,
  });
}

function requireConfig(file: string | undefined): string {
  if (!file) {
    throw new AuditpackError('USAGE', 'no config file given', {
      hint: 'pass --config FILE (see README: Configuration), or try `auditpack demo`',
    });
  }
  return resolve(file);
}
