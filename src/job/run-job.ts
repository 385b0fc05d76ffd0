import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AuditpackError } from '../errors.js';
import type { Manifest } from '../pack/manifest.js';
import { createPack } from '../pack/create-pack.js';
import { loadSigningKey } from '../pack/sign-manifest.js';
import type { ReportModel } from '../model/report-model.js';
import { loadRequesterDirectory, type RequesterDirectory } from '../config/requester-directory.js';
import { createHttpClient } from '../http/client.js';
import type { HttpClient } from '../http/types.js';
import type { ProgressReporter } from '../pipeline/run-pipeline.js';
import type { ExceptionSubjectCount, SampleMethodVersion, SamplingInfo } from '../model/report-model.js';
import { createRuleEngine } from '../rules/engine.js';
import { createSampler, DEFAULT_SAMPLE_METHOD, sampleMethodSummary } from '../rules/sampling.js';
import { compareWithPrevious, exceptionSubjectsSchema } from '../rules/month-over-month.js';
import { businessHoursSchema } from '../rules/business-hours.js';
import { describeZodError } from '../config/zod-error.js';
import { toolVersion } from '../package-info.js';
import type { AnySource } from '../sources/source.js';
import type { Renderer } from '../render/renderer.js';
import type { Template } from '../templates/template.js';
import { prepareRun, type PrepareOptions, type PreparedRun } from './prepare-run.js';

export interface RunJobOptions extends PrepareOptions {
  /** Pack folder; default reports/<template>-<period>. */
  out?: string;
  force: boolean;
  /** Pins generated-at so a re-run can be byte-identical. */
  generatedAt?: string;
  /** A previous pack, for month-over-month comparison of exceptions. */
  previous?: string;
  /** Seed for the auditor sample; default derived from the run parameters. */
  sampleSeed?: string;
  /** How samples are drawn; default v2. v1 re-draws the samples of packs made before v2. */
  sampleMethod?: SampleMethodVersion;
  /** PEM private key (Ed25519 or ECDSA P-256) that signs manifest.json into manifest.sig. */
  signKey?: string;
  command: string;
  signal: AbortSignal;
  progress: (prepared: PreparedRun) => ProgressReporter;
  /**
   * The files to render (default: every file a pack gets, src/render/registry.ts). A test that
   * reads only the JSON files passes those renderers: the PDF is most of a small pack's time.
   */
  renderers?: (template: Template) => Renderer[];
}

export interface RunJobResult {
  packDir: string;
  manifest: Manifest;
  model: ReportModel;
}

export async function runJob(opts: RunJobOptions): Promise<RunJobResult> {
  // A bad key is refused before any request is sent.
  const signer = opts.signKey ? await loadSigningKey(resolve(opts.signKey)) : null;
  const prepared = await prepareRun(opts);
  const { config, period, template, sources, plans } = prepared;
  const generatedAt = normalizeGeneratedAt(opts.generatedAt ?? new Date(opts.clock.now()).toISOString());
  const directory: RequesterDirectory | null = config.raw.requesterDirectory
    ? await loadRequesterDirectory(resolve(config.dir, config.raw.requesterDirectory))
    : null;
  const businessHours = parseBusinessHours(config.raw.businessHours, config.file);
  const previous = opts.previous ? await readPreviousSubjects(opts.previous) : null;
  const parameters: Record<string, unknown> = {
    ...prepared.parameters,
    ...(previous ? { previousPack: previous.packId } : {}),
  };
  const sampleMethod = opts.sampleMethod ?? DEFAULT_SAMPLE_METHOD;
  const sampling: SamplingInfo | null = template.samples.length
    ? { method: sampleMethod, seed: opts.sampleSeed ?? `${prepared.parameters.period}:${template.name}`, seedSource: opts.sampleSeed === undefined ? 'default' : 'given' }
    : null;
  if (sampling) Object.assign(parameters, { sampleSeed: sampling.seed, sampleSeedSource: sampling.seedSource, sampleMethod: sampleMethodSummary(sampling.method) });
  const rules = createRuleEngine(template.rules, { timeZone: period.timeZone, directory, businessHours });
  const packDir = resolve(opts.out ?? join('reports', `${template.name}-${period.label.replace(/[^A-Za-z0-9._-]+/g, '_')}`));

  const clients = new Map<string, HttpClient>();
  const httpFor = (source: AnySource) => {
    let c = clients.get(source.name);
    if (!c) {
      c = createHttpClient({ concurrency: source.policy.concurrency * 2 }, { clock: opts.clock, log: opts.log });
      clients.set(source.name, c);
    }
    return c;
  };
  // The renderers (pdfkit, exceljs) load once the inputs are accepted: a bad config, period,
  // template or missing secret is reported without them.
  const renderers = opts.renderers ? opts.renderers(template) : (await import('../render/registry.js')).renderersFor(template);
  try {
    const created = await createPack({
      packDir,
      force: opts.force,
      pipeline: {
        sources,
        period,
        plans,
        httpFor,
        directory,
        rules,
        // What an aggregating source (cloudtrail-athena) evaluates where the data lives: the same rules.
        pushdown: { timeZone: period.timeZone, rules: template.rules, directoryIds: directory?.ids() ?? null, businessHours, samples: sampling ? template.samples : [] },
        sampler: sampling ? (members) => createSampler(template.samples, sampling, members) : null,
        failuresOnly: template.failuresOnly,
        controls: [...new Set(template.rules.map((r) => r.control))],
        compareWith: previous ? (current: ExceptionSubjectCount[]) => compareWithPrevious(current, previous.subjects, rules.activeRuleIds) : undefined,
        log: opts.log,
        clock: opts.clock,
        signal: opts.signal,
        progress: opts.progress(prepared),
      },
      model: {
        meta: {
          title: template.title,
          organization: config.raw.organization,
          template: template.name,
          templateDescription: template.description,
          toolVersion: toolVersion(),
          generatedAt,
          command: opts.command,
          parameters,
          sources: sources.map((s) => ({ name: s.name, type: s.type, description: s.description })),
          signer: signer ? { algorithm: signer.algorithm, keyFingerprint: signer.keyFingerprint } : null,
        },
        period,
        sampling,
        sections: template.sections,
        pdfSections: template.pdfSections,
        exceptionGrouping: template.groupExceptionsBy,
        failuresOnly: template.failuresOnly,
        pdfExceptionLimit: template.pdfExceptionLimit,
        signOff: {
          preparedBy: config.raw.signOff?.preparedBy ?? null,
          reviewedBy: config.raw.signOff?.reviewedBy ?? null,
          date: null,
          conclusion: config.raw.signOff?.conclusion ?? null,
        },
      },
      renderers,
      signer,
      timing: (stage, ms) => opts.log.debug(`time: ${stage} ${(ms / 1000).toFixed(2)} s`),
    });
    return { packDir: created.packDir, manifest: created.manifest, model: created.model };
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
    await Promise.all(sources.map((s) => s.close?.()));
  }
}

function normalizeGeneratedAt(text: string): string {
  const t = Date.parse(text);
  if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    throw new AuditpackError('USAGE', `--generated-at "${text}" is not an ISO 8601 date-time`, { hint: 'e.g. --generated-at 2026-11-02T09:00:00Z' });
  }
  return new Date(t).toISOString();
}

function parseBusinessHours(raw: unknown, file: string) {
  if (raw === undefined) return null;
  const parsed = businessHoursSchema.safeParse(raw);
  if (!parsed.success) throw new AuditpackError('CONFIG_INVALID', `${file}: ${describeZodError(parsed.error, 'businessHours')}`);
  return parsed.data;
}

async function readPreviousSubjects(dir: string): Promise<{ packId: string; subjects: ExceptionSubjectCount[] }> {
  try {
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as { meta?: { packId?: string }; exceptionSubjects?: ExceptionSubjectCount[] };
    return { packId: summary.meta?.packId ?? 'unknown', subjects: exceptionSubjectsSchema.parse(summary.exceptionSubjects) };
  } catch (cause) {
    throw new AuditpackError('PACK_INVALID', `--previous ${dir} is not an auditpack evidence pack (no usable summary.json)`, {
      cause,
      hint: 'give the folder of last period\'s pack',
    });
  }
}
