import { readFile, rm, stat, mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { WindowCoverage } from '../model/coverage.js';
import { windowKey, type TimeWindow } from '../model/window.js';
import { writeFileAtomic } from './atomic-file.js';
import { sha256File } from './manifest.js';
import { createRawWindowWriter, type CommittableRawWriter, type RawFileSeal } from './raw-archive.js';

/**
 * What an interrupted run leaves for the next one: for each window it finished, a checkpoint
 * (`.state/windows/<source>/<window>.json`) holding its ledger row and the size and SHA-256 of its
 * raw archive. A window is reused only when both are whole; anything else (a torn checkpoint after
 * kill -9, a raw file cut short or changed) is reported and the window is pulled again, so a
 * damaged state costs one window's requests, never the run.
 */
interface WindowCheckpoint {
  checkpointVersion: 1;
  coverage: WindowCoverage;
  raw: RawFileSeal;
}

export interface DamagedWindow {
  window: TimeWindow;
  reason: string;
}

export interface SourceResume {
  /** Windows finished by an interrupted run, by index: replay them from their raw archive. */
  reuse: Map<number, WindowCoverage>;
  /** Checkpoints found but unusable: those windows are pulled again. */
  damaged: DamagedWindow[];
}

export interface ResumeState {
  rawPath(source: string, window: TimeWindow): string;
  check(source: string, plan: readonly TimeWindow[]): Promise<SourceResume>;
  /**
   * A window about to be pulled: its raw archive, written beside its final name until committed;
   * `holdOpen` keeps the file open between pages (see createRawWindowWriter).
   */
  openRaw(source: string, window: TimeWindow, opts?: { holdOpen?: boolean }): Promise<CommittableRawWriter>;
  /** After a pull: the raw archive into place; a complete window also gets its checkpoint. */
  finish(source: string, window: TimeWindow, raw: CommittableRawWriter, coverage: WindowCoverage): Promise<void>;
}

/**
 * This run's identity: made by its first attempt, read back by an attempt that resumes it (the
 * state folder goes when the pack is finished, or when a run with other parameters starts over).
 * An aggregating source's query tokens include it, so that a resumed run gets its own queries'
 * results back and a new run of the same period queries afresh: an idempotency token reused across
 * runs would return the first run's results however the data changed since
 * (https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html, ClientRequestToken).
 */
export async function runIdentity(stateDir: string): Promise<string> {
  const file = join(stateDir, 'run-id');
  const known = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f-]{36}$/.test(known)) return known;
  const made = randomUUID();
  await mkdir(stateDir, { recursive: true });
  await writeFileAtomic(file, made);
  return made;
}

export function createResumeState(packDir: string, stateDir: string): ResumeState {
  const rawPath = (source: string, w: TimeWindow) => join(packDir, 'raw', source, `${windowKey(w)}.ndjson.gz`);
  const checkpointDir = (source: string) => join(stateDir, 'windows', source);
  const checkpointPath = (source: string, w: TimeWindow) => join(checkpointDir(source), `${windowKey(w)}.json`);

  const inspect = async (source: string, w: TimeWindow): Promise<WindowCoverage | string | null> => {
    let text: string;
    try {
      text = await readFile(checkpointPath(source, w), 'utf8');
    } catch {
      return null; // never finished: pulled as any other window
    }
    const checkpoint = parseCheckpoint(text, w);
    if (typeof checkpoint === 'string') return checkpoint;
    let size: number;
    try {
      size = (await stat(rawPath(source, w))).size;
    } catch {
      return 'its raw archive is missing';
    }
    if (size !== checkpoint.raw.bytes) return `its raw archive is ${size} bytes, the checkpoint says ${checkpoint.raw.bytes}`;
    if ((await sha256File(rawPath(source, w))) !== checkpoint.raw.sha256) return 'its raw archive does not match the checkpoint’s SHA-256';
    return checkpoint.coverage;
  };

  return {
    rawPath,
    async check(source, plan) {
      const reuse = new Map<number, WindowCoverage>();
      const damaged: DamagedWindow[] = [];
      for (const w of plan) {
        const found = await inspect(source, w);
        if (found === null) continue;
        if (typeof found === 'string') {
          damaged.push({ window: w, reason: found });
          await rm(checkpointPath(source, w), { force: true });
        } else reuse.set(w.index, found);
      }
      return { reuse, damaged };
    },
    openRaw: (source, w, opts) => createRawWindowWriter(rawPath(source, w), opts),
    async finish(source, w, raw, coverage) {
      // A failed window's records were counted too: its raw archive goes into the pack as well.
      const seal = await raw.commit();
      if (coverage.status !== 'complete') return;
      await mkdir(checkpointDir(source), { recursive: true });
      const checkpoint: WindowCheckpoint = { checkpointVersion: 1, coverage, raw: seal };
      await writeFileAtomic(checkpointPath(source, w), JSON.stringify(checkpoint));
    },
  };
}

/** The checkpoint, or why it cannot be used. */
function parseCheckpoint(text: string, w: TimeWindow): WindowCheckpoint | string {
  if (text.length === 0) return 'its checkpoint is empty (the run was killed while writing it)';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `its checkpoint is not valid JSON (${(e as Error).message})`;
  }
  const c = value as Partial<WindowCheckpoint> | null;
  const ok =
    typeof c === 'object' && c !== null && c.checkpointVersion === 1 &&
    typeof c.raw?.bytes === 'number' && typeof c.raw.sha256 === 'string' &&
    typeof c.coverage === 'object' && c.coverage !== null && c.coverage.status === 'complete' && c.coverage.window?.key === windowKey(w);
  return ok ? (c as WindowCheckpoint) : 'its checkpoint is not one this version of auditpack wrote for this window';
}

/** One line per source that resumed: what was reused and what is pulled again, and why. */
export function describeResume(source: string, planned: number, resume: SourceResume): string | null {
  if (resume.reuse.size === 0 && resume.damaged.length === 0) return null;
  const again = planned - resume.reuse.size;
  const damaged = resume.damaged.map((d) => `${windowKey(d.window)}: ${d.reason}`).join('; ');
  return (
    `resuming ${source}: ${resume.reuse.size} of ${planned} windows reused from the interrupted run, ${again} pulled` +
    (damaged ? ` (${resume.damaged.length} of them because the saved state was damaged — ${damaged})` : '')
  );
}
