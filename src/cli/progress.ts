import type { WindowCoverage } from '../model/coverage.js';
import type { ProgressReporter } from '../pipeline/run-pipeline.js';

/**
 * One status line on a TTY (windows, pages, events), rewritten at most a few times a second;
 * nothing when stderr is piped, so scripts get clean output.
 */
export function createProgress(opts: { enabled: boolean; totalWindows: number; write: (s: string) => void; now: () => number }): ProgressReporter & { done(): void } {
  let windows = 0;
  let failed = 0;
  let pages = 0;
  let records = 0;
  let events = 0;
  let last = 0;
  const draw = (force = false) => {
    if (!opts.enabled) return;
    const t = opts.now();
    if (!force && t - last < 150) return;
    last = t;
    const line = `windows ${windows}/${opts.totalWindows}${failed ? ` (${failed} failed)` : ''} · pages ${pages.toLocaleString('en-US')} · records ${records.toLocaleString('en-US')} · events kept ${events.toLocaleString('en-US')}`;
    opts.write(`\r\x1b[2K${line}`);
  };
  return {
    windowStarted() {
      draw();
    },
    windowDone(c: WindowCoverage) {
      windows++;
      if (c.status !== 'complete') failed++;
      draw(true);
    },
    update(u) {
      pages += u.pages ?? 0;
      records += u.records ?? 0;
      events += u.events ?? 0;
      draw();
    },
    done() {
      if (opts.enabled) opts.write('\r\x1b[2K');
    },
  };
}
