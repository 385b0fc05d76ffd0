import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../e2e/harness.js';

/** A progress or log line of `--log-format json`. */
export interface JsonLine {
  type?: string;
  stage?: string;
  event?: string;
  [k: string]: unknown;
}

export interface CliProcess {
  child: ChildProcess;
  /** Resolves with the first stderr JSON line that matches (rejects if the process ends first). */
  waitForLine(match: (line: JsonLine) => boolean): Promise<JsonLine>;
  /** Every stderr JSON line so far. */
  lines: JsonLine[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/**
 * The built CLI as a real process (what a user's shell starts), its stderr read line by line so a
 * test can act at a known point of the run: `--log-format json` writes a `progress` line with
 * `event: "start"` when each stage (pull, each `render <file>`, seal) begins.
 */
export function startCli(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...opts.env },
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  const lines: JsonLine[] = [];
  const waiters: { match: (l: JsonLine) => boolean; resolve: (l: JsonLine) => void; reject: (e: Error) => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    const text = d.toString();
    stderr += text;
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const raw = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let line: JsonLine;
      try {
        line = JSON.parse(raw) as JsonLine;
      } catch {
        continue;
      }
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`the process ended (code ${code}, signal ${signal}) before the awaited line; stderr:\n${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    lines,
    exited,
    waitForLine(match) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`the process already ended; stderr:\n${stderr}`));
      return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }));
    },
  };
}
