import { describe, expect, it } from 'vitest';
import { createProgress, HEARTBEAT_MS, type ProgressMode } from '../../src/cli/progress.js';
import type { WindowCoverage } from '../../src/model/coverage.js';

const done = (status = 'complete') => ({ status }) as WindowCoverage;

/** A reporter on a hand-driven clock and heartbeat: what it writes, as lines. */
function harness(mode: ProgressMode, totalWindows = 4) {
  let t = 1_000_000;
  let beat: (() => void) | null = null;
  let stopped = false;
  const out: string[] = [];
  const p = createProgress({
    mode,
    totalWindows,
    write: (s) => out.push(s),
    now: () => t,
    every: (ms, fn) => {
      expect(ms).toBe(HEARTBEAT_MS);
      beat = fn;
      return () => {
        stopped = true;
      };
    },
  });
  return {
    p,
    out,
    advance(ms: number) {
      t += ms;
    },
    beat() {
      beat?.();
    },
    get stopped() {
      return stopped;
    },
    get hasHeartbeat() {
      return beat !== null;
    },
  };
}

describe('progress', () => {
  it('without a TTY: a plain line at each stage change and on the 10 s heartbeat, with an ETA', () => {
    const h = harness('plain');
    h.p.windowStarted('s', { index: 0, start: 0, end: 1 });
    expect(h.out).toEqual(['progress: pull · windows 0/4 · pages 0 · records 0 · events kept 0\n']);
    h.p.update({ pages: 3, records: 300, events: 290 });
    h.advance(5_000);
    h.p.windowDone(done());
    expect(h.out).toHaveLength(1); // counters alone do not print: stage changes and the heartbeat do
    h.advance(HEARTBEAT_MS);
    h.beat();
    // One window of four in 15 s: 45 s to go.
    expect(h.out[1]).toBe('progress: pull · windows 1/4 · pages 3 · records 300 · events kept 290 · ETA 45s\n');
    h.p.stage!('render report.xlsx', 1000);
    expect(h.out[2]).toMatch(/^progress: pull · windows 1\/4 .* · done in 15s\n$/);
    expect(h.out[3]).toBe('progress: render report.xlsx · rows 0/1,000\n');
    h.advance(2_000);
    h.p.rows!(250);
    h.advance(HEARTBEAT_MS);
    h.beat();
    expect(h.out[4]).toBe('progress: render report.xlsx · rows 250/1,000 · ETA 36s\n');
    h.p.done();
    expect(h.out[5]).toMatch(/^progress: render report\.xlsx · rows 250\/1,000 .*· done in 12s\n$/);
    expect(h.stopped).toBe(true);
  });

  it('the heartbeat is silent right after a line was written', () => {
    const h = harness('plain');
    h.p.stage!('check sources');
    h.advance(1_000);
    h.beat();
    expect(h.out).toEqual(['progress: check sources\n']);
  });

  it('--log-format json: the same moments as JSON objects', () => {
    const h = harness('json', 2);
    h.p.windowStarted('s', { index: 0, start: 0, end: 1 });
    h.advance(4_000);
    h.p.windowDone(done('failed'));
    h.advance(HEARTBEAT_MS);
    h.beat();
    h.p.done();
    const lines = h.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.type, l.stage, l.event])).toEqual([
      ['progress', 'pull', 'start'],
      ['progress', 'pull', 'update'],
      ['progress', 'pull', 'end'],
    ]);
    expect(lines[1]).toMatchObject({ windows: 1, windowsTotal: 2, windowsFailed: 1, etaSeconds: 14, elapsedSeconds: 14 });
    expect(h.out.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
  });

  it('on a TTY: one line per stage rewritten in place, a finished stage left on its own line', () => {
    const h = harness('tty');
    expect(h.hasHeartbeat).toBe(false);
    h.p.windowStarted('s', { index: 0, start: 0, end: 1 });
    h.advance(1_000);
    h.p.windowDone(done());
    h.p.stage!('render report.pdf');
    h.p.done();
    expect(h.out[0]).toBe('\r\x1b[2Kpull · windows 0/4 · pages 0 · records 0 · events kept 0');
    expect(h.out[1]).toBe('\r\x1b[2Kpull · windows 1/4 · pages 0 · records 0 · events kept 0 · ETA 3s');
    expect(h.out[2]).toMatch(/^\r\x1b\[2Kpull · windows 1\/4 .*\n$/);
    expect(h.out[3]).toBe('\r\x1b[2Krender report.pdf');
    expect(h.out[4]).toBe('\r\x1b[2Krender report.pdf\n');
  });

  it('--quiet: nothing at all', () => {
    const h = harness('off');
    h.p.windowStarted('s', { index: 0, start: 0, end: 1 });
    h.p.windowDone(done());
    h.p.stage!('render report.xlsx', 10);
    h.p.rows!(5);
    h.p.done();
    expect(h.out).toEqual([]);
    expect(h.hasHeartbeat).toBe(false);
  });
});
