import type { WindowCoverage } from '../model/coverage.js';
import type { ProgressReporter } from '../pipeline/run-pipeline.js';

/**
 * How a run shows life on stderr:
 * - `tty`: one line per stage, rewritten in place a few times a second, with an ETA; a finished
 *   stage's line stays on screen;
 * - `plain` (stderr is a pipe or a file: CI, cron): a line at each stage change and at least
 *   every 10 s during a long stage, so a log shows the run is alive;
 * - `json` (`--log-format json`): the same moments as one JSON object per line;
 * - `off` (`--quiet`): nothing.
 */
export type ProgressMode = 'tty' | 'plain' | 'json' | 'off';

export interface ProgressOptions {
  mode: ProgressMode;
  totalWindows: number;
  write: (s: string) => void;
  now: () => number;
  /** Calls fn every ms until the returned function is called (setInterval, unref'd, in the CLI). */
  every?: (ms: number, fn: () => void) => () => void;
}

export const HEARTBEAT_MS = 10_000;

interface StageState {
  name: string;
  startedAt: number;
  /** Rows the stage will read, when known (render). */
  total?: number;
  rows: number;
}

export function createProgress(opts: ProgressOptions): ProgressReporter & { done(): void } {
  let windows = 0;
  let failed = 0;
  let pages = 0;
  let records = 0;
  let events = 0;
  let lastDraw = 0;
  const runStart = opts.now();
  let stage: StageState = { name: 'pull', startedAt: runStart, rows: 0 };
  let announced = false;

  const eta = (): number | null => {
    const elapsed = opts.now() - stage.startedAt;
    const [done, total] = stage.name === 'pull' ? [windows, opts.totalWindows] : [stage.rows, stage.total ?? 0];
    if (done <= 0 || total <= 0 || done >= total || elapsed <= 0) return null;
    return Math.round((elapsed * (total - done)) / done / 1000);
  };
  const fields = (): Record<string, unknown> =>
    stage.name === 'pull'
      ? { windows, windowsTotal: opts.totalWindows, windowsFailed: failed, pages, records, eventsKept: events }
      : stage.total !== undefined
        ? { rows: stage.rows, rowsTotal: stage.total }
        : {};
  const text = (): string => {
    const n = (v: number) => v.toLocaleString('en-US');
    const e = eta();
    const parts =
      stage.name === 'pull'
        ? [`windows ${windows}/${opts.totalWindows}${failed ? ` (${failed} failed)` : ''}`, `pages ${n(pages)}`, `records ${n(records)}`, `events kept ${n(events)}`]
        : stage.total !== undefined
          ? [`rows ${n(stage.rows)}/${n(stage.total)}`]
          : [];
    if (e !== null) parts.push(`ETA ${duration(e)}`);
    return [stage.name, ...parts].join(' · ');
  };
  const emit = (reason: 'start' | 'update' | 'end') => {
    if (opts.mode === 'off') return;
    if (opts.mode === 'json') {
      const e = eta();
      opts.write(JSON.stringify({ time: new Date(opts.now()).toISOString(), type: 'progress', stage: stage.name, event: reason, elapsedSeconds: Math.round((opts.now() - stage.startedAt) / 1000), ...fields(), ...(e !== null ? { etaSeconds: e } : {}) }) + '\n');
    } else if (opts.mode === 'plain') {
      opts.write(`progress: ${text()}${reason === 'end' ? ` · done in ${duration(Math.round((opts.now() - stage.startedAt) / 1000))}` : ''}\n`);
    } else {
      opts.write(`\r\x1b[2K${text()}${reason === 'end' ? '\n' : ''}`);
    }
    lastDraw = opts.now();
  };
  const tick = (force = false) => {
    if (!announced) {
      announced = true;
      emit('start');
      return;
    }
    // A TTY line follows the counters; plain and JSON lines come at stage changes and the heartbeat.
    if (opts.mode === 'tty' && (force || opts.now() - lastDraw >= 150)) emit('update');
  };
  const stopHeartbeat =
    opts.mode === 'plain' || opts.mode === 'json'
      ? (opts.every ?? ((ms, fn) => {
          const t = setInterval(fn, ms);
          t.unref();
          return () => clearInterval(t);
        }))(HEARTBEAT_MS, () => {
          if (announced && opts.now() - lastDraw >= HEARTBEAT_MS - 50) emit('update');
        })
      : () => {};

  return {
    windowStarted() {
      tick();
    },
    windowDone(c: WindowCoverage) {
      windows++;
      if (c.status !== 'complete') failed++;
      tick(true);
    },
    update(u) {
      pages += u.pages ?? 0;
      records += u.records ?? 0;
      events += u.events ?? 0;
      tick();
    },
    stage(name: string, total?: number) {
      if (announced) emit('end');
      stage = { name, startedAt: opts.now(), rows: 0, ...(total !== undefined ? { total } : {}) };
      announced = true;
      emit('start');
    },
    rows(n: number) {
      stage.rows += n;
      tick();
    },
    done() {
      stopHeartbeat();
      if (announced) emit('end');
      announced = false;
    },
  };
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
