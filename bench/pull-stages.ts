import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecordReader } from '../src/pipeline/record-codec.js';
import { contentSizeHint, parseLogFileBytes, type ParseResult } from '../src/sources/cloudtrail-files/parse-log-file.js';
import { decodeEvents } from '../src/sources/cloudtrail-files/pull-period.js';
import { createGunzipInto } from '../src/util/gunzip-into.js';
import { recordSpans } from '../src/util/json-record-spans.js';
import { logFiles, plainPassInProcess } from './plain-pass.js';

/**
 * Where the cloudtrail-files pull's CPU goes, stage by stage, on one thread, over the 1M-event
 * bench's files held in memory (no disk, no threads, no scheduling): each stage is the one before
 * it and one more step, so the differences are the steps' costs. The baseline, measured in the
 * same run, is the plain pass's own work in memory (gunzip, one JSON.parse per file); the plain
 * pass itself (bench/plain-pass.ts: from disk, streamed, the cloudtrail-files bench's baseline)
 * runs too. The parse workers do everything up to `parseLogFileBytes`; the main thread decodes
 * each event, then de-duplicates, counts, applies the rules and spills (not measured here). On two
 * cores the pull's wall time is at least half its CPU time: what no scheduling can beat.
 */
interface Stage {
  name: string;
  cpuSeconds: number;
}

const MAX_BYTES = 512 * 1024 * 1024;

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The fastest of `runs` runs of fn, in CPU seconds (the first run also compiles the code). */
function timed(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const c0 = cpuNow();
    fn();
    best = Math.min(best, cpuNow() - c0);
  }
  return best;
}

export function benchPullStages(files: readonly Buffer[], runs = 2): { stages: Stage[]; baseline: number; events: number; workerSeconds: number; decodeSeconds: number } {
  const gunzipper = createGunzipInto();
  const gunzip = (f: Buffer) => gunzipper.gunzip(f, MAX_BYTES, contentSizeHint(f, MAX_BYTES));
  let events = 0;
  const baseline = timed(runs, () => {
    events = 0;
    for (const f of files) events += (JSON.parse(gunzip(f).toString('utf8')) as { Records: unknown[] }).Records.length;
  });
  const stages: Stage[] = [];
  const stage = (name: string, fn: () => void): number => {
    const cpuSeconds = timed(runs, fn);
    stages.push({ name, cpuSeconds });
    return cpuSeconds;
  };
  stage('gunzip', () => {
    for (const f of files) gunzip(f);
  });
  stage('+ record spans', () => {
    for (const f of files) recordSpans(gunzip(f));
  });
  stage('+ JSON.parse per record', () => {
    for (const f of files) {
      const content = gunzip(f);
      const spans = recordSpans(content)!;
      for (let i = 0; i < spans.start.length; i++) JSON.parse(content.toString('utf8', spans.start[i], spans.end[i]));
    }
  });
  let parsed: ParseResult[] = [];
  const workerSeconds = stage('+ normalize, encode, fingerprint (a parse worker)', () => {
    parsed = files.map((f) => parseLogFileBytes({ key: 'bench', sourceName: 'bench', compressed: new Uint8Array(f), hash: false, maxBytes: MAX_BYTES }));
  });
  const reader = createRecordReader();
  // The main thread's own reading of a worker's answer (pull-period.ts).
  const decodeSeconds = stage('main thread: decode each event', () => {
    for (const r of parsed) {
      if (!r.ok) throw new Error(r.message);
      for (const decoded of decodeEvents(r.events, r.contents, reader)) void decoded;
    }
  });
  return { stages, baseline, events, workerSeconds, decodeSeconds };
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  const nFiles = Number(process.env.BENCH_FILES ?? 300);
  const dir = mkdtempSync(join(tmpdir(), 'ap-bench-stages-'));
  try {
    execFileSync(process.execPath, [join(import.meta.dirname, 'write-cloudtrail-folder.js'), dir, String(events), String(nFiles)], { stdio: 'inherit' });
    const plain = plainPassInProcess(dir);
    const files = logFiles(dir).map((f) => readFileSync(f));
    const r = benchPullStages(files);
    const us = (s: number) => ((s / r.events) * 1e6).toFixed(2);
    console.log(`pull stages: ${r.events.toLocaleString('en-US')} events in ${files.length} files, one thread, CPU (the faster of 2 runs each); the plain pass (from disk, streamed) ${plain.seconds.toFixed(2)} s wall, ${plain.cpu.toFixed(2)} s CPU`);
    console.log(`  baseline (the plain pass's work: gunzip, JSON.parse per file): ${r.baseline.toFixed(2)} s, ${us(r.baseline)} µs/event`);
    for (const s of r.stages) console.log(`  ${s.name}: ${s.cpuSeconds.toFixed(2)} s, ${us(s.cpuSeconds)} µs/event, ${(s.cpuSeconds / r.baseline).toFixed(2)}× the baseline`);
    const floor = (r.workerSeconds + r.decodeSeconds) / 2;
    console.log(
      `  the parse workers' work and the main thread's decoding: ${(r.workerSeconds + r.decodeSeconds).toFixed(2)} s of CPU, so on two cores no less than ${floor.toFixed(2)} s of wall ` +
        `(${(floor / plain.seconds).toFixed(2)}× the plain pass) before de-duplication, counting, rules and spilling; the pull's target is 1×`,
    );
    // Not the pull's: this holds every file and every worker answer at once, to time each step alone.
    console.log(`  peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB (the files and every worker answer held at once)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
