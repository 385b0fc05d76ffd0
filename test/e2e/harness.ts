import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSmapiEmulator, demoSmapiSetup, smapiDemoDirectory, type SmapiEmulator, type SmapiEmulatorOptions } from '../../src/emulators/smapi/index.js';
import { runJob, type RunJobResult } from '../../src/job/run-job.js';
import { sourceRegistry } from '../../src/sources/registry.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { createRedactor } from '../../src/util/redactor.js';
import type { ProgressReporter } from '../../src/pipeline/run-pipeline.js';
import { renderersFor } from '../../src/render/registry.js';
import type { Template } from '../../src/templates/template.js';

export const CLI = resolve(import.meta.dirname, '../../dist/src/cli/main.js');

export function tempDir(prefix = 'ap-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const quietProgress: ProgressReporter = { windowStarted() {}, windowDone() {}, update() {} };

/**
 * A run's signal and progress that abort it as window `n` starts (as Ctrl-C would): with one
 * window at a time, the windows before it have all their pages then and still finish.
 */
export function interruptAtWindow(n: number): { signal: AbortSignal; progress: ProgressReporter } {
  const stop = new AbortController();
  let started = 0;
  return {
    signal: stop.signal,
    progress: { ...quietProgress, windowStarted() { if (++started === n) stop.abort(Object.assign(new Error('interrupted'), { name: 'AbortError' })); } },
  };
}

export interface SmapiFixture {
  emulator: SmapiEmulator;
  dir: string;
  configFile: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** An SMAPI emulator and a config file pointing at it, as a user would write one. */
export async function smapiFixture(
  opts: SmapiEmulatorOptions & { sourceExtra?: Record<string, unknown>; configExtra?: Record<string, unknown> } = {},
): Promise<SmapiFixture> {
  const { sourceExtra, configExtra, ...emuOpts } = opts;
  const emulator = await startSmapiEmulator(emuOpts);
  const dir = tempDir();
  const setup = demoSmapiSetup(emulator);
  writeFileSync(join(dir, 'requesters.csv'), 'userId,name,email\n' + smapiDemoDirectory().map((r) => `${r.userId},"${r.name}",${r.email}`).join('\n') + '\n');
  const config = {
    organization: 'E2E Corp',
    timezone: 'UTC',
    requesterDirectory: 'requesters.csv',
    sources: [{ ...setup.sourceConfig, ...sourceExtra }],
    ...configExtra,
  };
  const configFile = join(dir, 'auditpack.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return { emulator, dir, configFile, env: setup.env, close: () => emulator.close() };
}

export interface JobArgs {
  configFile: string;
  env: Record<string, string>;
  period?: string;
  from?: string;
  to?: string;
  tz?: string;
  out: string;
  template?: string;
  generatedAt?: string;
  signal?: AbortSignal;
  force?: boolean;
  previous?: string;
  progress?: ProgressReporter;
  /**
   * The rendered files to write (the raw archives, manifest and README always are), for a test
   * that reads nothing else: the PDF is most of a small pack's time. Default: every file.
   */
  files?: readonly string[];
}

/** The pack's JSON files: what a test of counts and the ledger reads. */
export const JSON_FILES = ['summary.json', 'coverage.json', 'network.json'] as const;

/** The renderers of the named files; a name that is no renderer's file is an error of the test. */
function renderersOf(files: readonly string[]): (template: Template) => ReturnType<typeof renderersFor> {
  return (template) => {
    const all = renderersFor(template);
    const unknown = files.filter((f) => !all.some((r) => r.file === f));
    if (unknown.length) throw new Error(`runPack: no renderer writes ${unknown.join(', ')}`);
    return all.filter((r) => files.includes(r.file));
  };
}

/**
 * The default generated-at: the 3rd of next month, 09:00 UTC. It is after the end (plus every
 * source's delivery delay) of any period the tests name, `last-month` included, so a pack is not
 * refused as generated before its data; and it is the same for every run of one suite.
 */
function afterLastMonth(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 3, 9)).toISOString();
}

/** A run in this process (what `auditpack run` does, minus argument parsing). */
export function runPack(a: JobArgs): Promise<RunJobResult> {
  return runJob({
    configFile: a.configFile,
    period: a.period,
    from: a.from,
    to: a.to,
    tz: a.tz,
    template: a.template ?? 'soc2-monthly',
    out: a.out,
    force: a.force ?? true,
    generatedAt: a.generatedAt ?? afterLastMonth(),
    previous: a.previous,
    command: 'auditpack run (test)',
    env: { ...process.env, ...a.env },
    clock: systemClock,
    log: silentLogger,
    redactor: createRedactor(),
    registry: sourceRegistry,
    signal: a.signal ?? new AbortController().signal,
    progress: () => a.progress ?? quietProgress,
    renderers: a.files ? renderersOf(a.files) : undefined,
  });
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

export interface CliResult {
  code: number;
  stdout: string;
  /** stderr without the progress lines (which a run writes there when stderr is not a TTY). */
  stderr: string;
  /** The `progress: …` lines of stderr. */
  progress: string[];
}

export function splitProgress(stderr: string): { stderr: string; progress: string[] } {
  const lines = stderr.split('\n');
  return { stderr: lines.filter((l) => !l.startsWith('progress: ')).join('\n'), progress: lines.filter((l) => l.startsWith('progress: ')) };
}

/** A CLI run not yet ended: what a failed (timed-out) test reports with `describeRunningClis`. */
interface RunningCli {
  args: string[];
  child: ChildProcess;
  startedAt: number;
  stderr(): string;
}
const runningClis = new Set<RunningCli>();
/** Where a CLI run writes its Node.js diagnostic report when sent SIGUSR2 (never otherwise). */
const REPORT_DIR = mkdtempSync(join(tmpdir(), 'ap-cli-reports-'));

/** Runs the built CLI as a user would, with its own environment. */
export function cli(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolveResult) => {
    let stderr = '';
    const child = execFile(
      process.execPath,
      // A diagnostic report on SIGUSR2 only: a test that times out asks each run still going what it waits on.
      ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${REPORT_DIR}`, CLI, ...args],
      { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...opts.env }, cwd: opts.cwd, timeout: 120_000 },
      (error, out, err) => {
        runningClis.delete(running);
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolveResult({ code, stdout: out, ...splitProgress(err) });
      },
    );
    child.stderr?.on('data', (d: Buffer | string) => (stderr += d.toString()));
    const running: RunningCli = { args, child, startedAt: Date.now(), stderr: () => stderr };
    runningClis.add(running);
  });
}

/** The parts of a Node.js diagnostic report (https://nodejs.org/api/report.html) shown. */
interface NodeReport {
  javascriptStack?: { message?: string; stack?: string[] };
  libuv?: { type?: string; is_active?: boolean; is_referenced?: boolean }[];
  workers?: unknown[];
}

/**
 * What each CLI run still going is doing: its arguments, how long it has run, the end of its
 * stderr, and from its Node.js report (SIGUSR2) the JavaScript stack and the handles keeping it
 * alive. For a test that timed out (`afterEach`), so a hang that is seldom seen leaves evidence.
 * The runs are then killed. The report's other parts (the environment: demo secrets) are not shown.
 */
export async function describeRunningClis(): Promise<string> {
  const parts: string[] = [];
  for (const r of [...runningClis]) {
    const pid = r.child.pid;
    r.child.kill('SIGUSR2');
    let report = null as NodeReport | null;
    for (let i = 0; i < 50 && !report; i++) {
      await new Promise((w) => setTimeout(w, 100));
      const file = readdirSync(REPORT_DIR).find((f) => f.includes(`.${pid}.`) && f.endsWith('.json'));
      if (file) {
        try {
          report = JSON.parse(readFileSync(join(REPORT_DIR, file), 'utf8')) as NodeReport;
          rmSync(join(REPORT_DIR, file), { force: true });
        } catch {
          // Still being written: read it on the next turn.
        }
      }
    }
    const handles = (report?.libuv ?? []).filter((h) => h.is_active && h.is_referenced && h.type !== 'loop');
    parts.push(
      [
        `auditpack ${r.args.join(' ')} (pid ${pid}) still running after ${((Date.now() - r.startedAt) / 1000).toFixed(1)} s`,
        `stderr (last 20 lines):\n${r.stderr().split('\n').slice(-20).join('\n')}`,
        report
          ? `JavaScript stack: ${report.javascriptStack?.message ?? ''}\n${(report.javascriptStack?.stack ?? []).join('\n')}\nworkers: ${report.workers?.length ?? 0}\nactive handles:\n${handles.map((h) => JSON.stringify(h)).join('\n')}`
          : 'no diagnostic report within 5 s',
      ].join('\n'),
    );
    r.child.kill('SIGKILL');
  }
  return parts.join('\n\n');
}
