import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AuditpackError, fileSystemError } from '../errors.js';
import type { ReportModel, RowStream } from '../model/report-model.js';
import { buildReportModel, incompleteReasons, type ModelInputs } from '../pipeline/build-model.js';
import { deliveryLedgers, withDeliveryCheck } from '../pipeline/delivery-check.js';
import { runPipeline, type PipelineInput, type PipelineResult } from '../pipeline/run-pipeline.js';
import type { Renderer } from '../render/renderer.js';
import type { Logger } from '../util/logger.js';
import { syncDir, writeFileAtomic } from './atomic-file.js';
import { checkOutFolder } from './out-folder.js';
import { acquirePackLock, type PackLock } from './pack-lock.js';
import { hashPackFiles, MANIFEST_FILE, MANIFEST_SEAL_FILE, MANIFEST_SIGNATURE, manifestSeal, sha256File, type Manifest } from './manifest.js';
import type { SigningKey } from './sign-manifest.js';
import { writePackIndex } from './pack-index.js';
import { collectGarbage } from '../util/collect-garbage.js';
import { fromBatches, rowBatches } from '../model/row-batches.js';

export interface CreatePackInput {
  /** Final folder of the pack. */
  packDir: string;
  /** Replace an existing pack at packDir. */
  force: boolean;
  pipeline: Omit<PipelineInput, 'packDir' | 'stateDir'>;
  model: Omit<ModelInputs, 'result'>;
  renderers: Renderer[];
  /** With --sign-key: signs manifest.json into manifest.sig. */
  signer?: SigningKey | null;
  /** Told how long each stage took (`--verbose` prints it): where a run's time went. */
  timing?: (stage: string, ms: number) => void;
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
 * so the same command run again resumes instead of starting over. A lock beside it keeps a second
 * run off the same pack.
 */
export async function createPack(input: CreatePackInput): Promise<CreatePackResult> {
  const packDir = input.packDir;
  const staging = join(dirname(packDir), `.${basename(packDir)}.partial`);
  const stateDir = join(staging, STATE);
  const { log, signal, clock } = input.pipeline;
  let lock: PackLock | null = null;
  try {
    await checkOutFolder(packDir, input.force);
    await mkdir(dirname(packDir), { recursive: true });
    lock = await acquirePackLock(packDir, clock.now);
    if (lock.staleNote) log.warn(lock.staleNote);
    await prepareStaging(staging, stateDir, input.model.meta.parameters, log);

    const stage = stageTimer(input.timing);
    // Rules and aggregation run inside the pull, event by event, as do the spill's writes.
    const pulled = await stage('pull, rules and aggregation', () => runPipeline({ ...input.pipeline, packDir: staging, stateDir, exceptionHeadRows: input.model.pdfExceptionLimit }));
    // The pull's structures (the de-duplication set above all) are garbage now: returned before
    // rendering, so the two stages' memory does not add up in the run's peak.
    collectGarbage();
    const late = deliveryLedgers(input.pipeline.sources, input.pipeline.period.end, Date.parse(input.model.meta.generatedAt));
    const result: PipelineResult = { ...pulled, coverage: withDeliveryCheck(pulled.coverage, late) };
    const progress = input.pipeline.progress;
    const counted = { rows: (n: number) => progress.rows?.(n) };
    const model = buildReportModel({ ...input.model, result: { ...result, events: abortable(result.events, signal, counted), exceptions: abortable(result.exceptions, signal, counted) } });
    // A renderer whose work is in another thread starts first and is waited for last.
    const beside = input.renderers.filter((r) => r.concurrent).map((r) => stage(`${r.file} (in a thread of its own, beside the others)`, () => r.render(model, join(staging, r.file), { signal })));
    // Its failure is seen when it is waited for, not as an unhandled rejection meanwhile.
    for (const b of beside) b.catch(() => undefined);
    try {
      for (const r of input.renderers) {
        if (r.concurrent) continue;
        throwIfAborted(signal);
        // A table renderer reads every event and exception once: the ETA's measure. The PDF reads a capped
        // share and the JSON files none, so they show rows read without an ETA.
        progress.stage?.(`render ${r.file}`, /\.(json|pdf)$/.test(r.file) ? undefined : result.events.count + result.exceptions.count);
        // Renderers read the spilled events and exceptions back (sorted per bucket): their time includes that.
        await stage(r.file, () => r.render(model, join(staging, r.file), { signal }));
      }
    } finally {
      // Nothing is left writing into the staging folder, whether the others succeeded or not.
      await Promise.allSettled(beside);
    }
    await Promise.all(beside);
    progress.stage?.('seal (manifest)');
    throwIfAborted(signal);
    await rm(stateDir, { recursive: true, force: true });
    await writePackIndex(staging, model, input.signer ? { algorithm: input.signer.algorithm, keyFingerprint: input.signer.keyFingerprint } : null);
    const stopManifest = stage.start('manifest');

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
      ...(model.sampling ? { sampling: { method: model.sampling.method, seed: model.sampling.seed, seedSource: model.sampling.seedSource } } : {}),
      ...(input.signer ? { signature: { file: MANIFEST_SIGNATURE, algorithm: input.signer.algorithm, keyFingerprint: input.signer.keyFingerprint } } : {}),
      files: await hashPackFiles(staging, async (path) => {
        const digest = digests.get(basename(path));
        return digest && dirname(path) === staging ? digest(path) : undefined;
      }),
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
    await writeFileAtomic(join(staging, MANIFEST_FILE), manifestBytes);
    await writeFileAtomic(join(staging, MANIFEST_SEAL_FILE), manifestSeal(await sha256File(join(staging, MANIFEST_FILE))));
    if (input.signer) await writeFileAtomic(join(staging, MANIFEST_SIGNATURE), input.signer.sign(manifestBytes));
    stopManifest();
    throwIfAborted(signal);
    await moveIntoPlace(staging, packDir);
    return { packDir, model, manifest, result };
  } catch (e) {
    // A write's ENOSPC names no file: say which folder was being written.
    throw fileSystemError(e instanceof AuditpackError && e.code === 'IO_FAILED' ? e.cause : e, staging) ?? e;
  } finally {
    await lock?.release();
  }
}

/** The finished staging folder becomes the pack; an earlier pack there (checked: it is one) goes. */
async function moveIntoPlace(staging: string, packDir: string): Promise<void> {
  if (existsSync(packDir)) {
    const old = join(dirname(packDir), `.${basename(packDir)}.old`);
    await rm(old, { recursive: true, force: true });
    await rename(packDir, old);
    await rename(staging, packDir);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(staging, packDir);
  }
  await syncDir(dirname(packDir));
}

/** Keeps a staging folder from an interrupted run of the same parameters; starts afresh otherwise. */
async function prepareStaging(staging: string, stateDir: string, parameters: Record<string, unknown>, log: Logger): Promise<void> {
  const fingerprint = JSON.stringify(parameters);
  const runFile = join(stateDir, 'run.json');
  if (existsSync(staging)) {
    const previous = await readFile(runFile, 'utf8').catch(() => null);
    if (previous !== fingerprint) {
      log.warn(
        previous === null
          ? `discarding ${staging}: the interrupted run's saved parameters are missing or unreadable, so its windows cannot be reused`
          : `discarding ${staging}: the interrupted run there had other parameters (period, template, config or sources)`,
      );
      await rm(staging, { recursive: true, force: true });
    }
  }
  await mkdir(stateDir, { recursive: true });
  await rm(join(stateDir, 'spill'), { recursive: true, force: true });
  await writeFileAtomic(runFile, fingerprint);
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AuditpackError('ABORTED', 'interrupted while writing the pack', { hint: 'run the same command again to resume: the windows pulled are kept' });
}

/** Rows read by the renderers stop at Ctrl-C (rendering a large pack takes a while) and are counted for the progress line. */
function abortable<T>(stream: RowStream<T>, signal: AbortSignal, counter: { rows(n: number): void }): RowStream<T> {
  async function* openBatches(): AsyncGenerator<readonly T[]> {
    for await (const batch of rowBatches(stream)) {
      throwIfAborted(signal);
      counter.rows(batch.length);
      yield batch;
    }
  }
  return {
    count: stream.count,
    files: stream.files,
    ...fromBatches(openBatches),
  };
}

function stageTimer(report: ((stage: string, ms: number) => void) | undefined) {
  const start = (name: string) => {
    const t0 = performance.now();
    return () => report?.(name, performance.now() - t0);
  };
  const run = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const stop = start(name);
    const out = await fn();
    stop();
    return out;
  };
  return Object.assign(run, { start });
}
