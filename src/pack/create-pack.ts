import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AuditpackError } from '../errors.js';
import type { ReportModel } from '../model/report-model.js';
import { buildReportModel, incompleteReasons, type ModelInputs } from '../pipeline/build-model.js';
import { runPipeline, type PipelineInput, type PipelineResult } from '../pipeline/run-pipeline.js';
import type { Renderer } from '../render/renderer.js';
import { hashPackFiles, MANIFEST_FILE, MANIFEST_SEAL_FILE, manifestSeal, sha256File, type Manifest } from './manifest.js';

export interface CreatePackInput {
  /** Final folder of the pack. */
  packDir: string;
  /** Replace an existing pack at packDir. */
  force: boolean;
  pipeline: Omit<PipelineInput, 'packDir' | 'stateDir'>;
  model: Omit<ModelInputs, 'result'>;
  renderers: Renderer[];
}

export interface CreatePackResult {
  packDir: string;
  model: ReportModel;
  manifest: Manifest;
  result: PipelineResult;
}

const STATE = '.state';

/**
 * Writes the pack in a hidden staging folder beside its final place and renames it into place
 * only when every file and the manifest are written: an interrupted or failed run never leaves
 * something that looks like a finished pack. The staging folder keeps the windows already pulled,
 * so the same command run again resumes instead of starting over.
 */
export async function createPack(input: CreatePackInput): Promise<CreatePackResult> {
  const packDir = input.packDir;
  const staging = join(dirname(packDir), `.${basename(packDir)}.partial`);
  const stateDir = join(staging, STATE);
  if (existsSync(packDir) && !input.force) {
    throw new AuditpackError('USAGE', `${packDir} already exists`, { hint: 'pass --force to replace it, or --out to write elsewhere' });
  }
  await prepareStaging(staging, stateDir, input.model.meta.parameters);

  const result = await runPipeline({ ...input.pipeline, packDir: staging, stateDir });
  const model = buildReportModel({ ...input.model, result });
  for (const r of input.renderers) await r.render(model, join(staging, r.file));
  await rm(stateDir, { recursive: true, force: true });

  const digests = new Map(input.renderers.filter((r) => r.contentDigest).map((r) => [r.file, r.contentDigest!]));
  const manifest: Manifest = {
    manifestVersion: 1,
    tool: { name: 'auditpack', version: model.meta.toolVersion },
    packId: model.meta.packId,
    status: model.complete ? 'COMPLETE' : 'INCOMPLETE',
    incompleteReasons: incompleteReasons(model.coverage),
    command: model.meta.command,
    parameters: model.meta.parameters,
    generatedAt: model.meta.generatedAt,
    files: await hashPackFiles(staging, async (path) => {
      const digest = digests.get(basename(path));
      return digest && dirname(path) === staging ? digest(path) : undefined;
    }),
  };
  await writeFile(join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  await writeFile(join(staging, MANIFEST_SEAL_FILE), manifestSeal(await sha256File(join(staging, MANIFEST_FILE))));

  if (existsSync(packDir)) {
    const old = join(dirname(packDir), `.${basename(packDir)}.old`);
    await rm(old, { recursive: true, force: true });
    await rename(packDir, old);
    await rename(staging, packDir);
    await rm(old, { recursive: true, force: true });
  } else {
    await mkdir(dirname(packDir), { recursive: true });
    await rename(staging, packDir);
  }
  return { packDir, model, manifest, result };
}

/** Keeps a staging folder from an interrupted run of the same parameters; starts afresh otherwise. */
async function prepareStaging(staging: string, stateDir: string, parameters: Record<string, unknown>): Promise<void> {
  const fingerprint = JSON.stringify(parameters);
  const runFile = join(stateDir, 'run.json');
  if (existsSync(staging)) {
    const previous = existsSync(runFile) ? await readFile(runFile, 'utf8') : '';
    if (previous !== fingerprint) await rm(staging, { recursive: true, force: true });
  }
  await mkdir(stateDir, { recursive: true });
  await rm(join(stateDir, 'spill'), { recursive: true, force: true });
  await writeFile(runFile, fingerprint);
}
