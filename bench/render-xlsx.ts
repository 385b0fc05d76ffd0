import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { syntheticModel } from '../src/model/synthetic-model.js';
import { renderXlsx } from '../src/render/xlsx/render-xlsx.js';

export interface XlsxBenchResult {
  events: number;
  exceptions: number;
  seconds: number;
  /** Peak resident set size of this process so far, in MB (process.resourceUsage().maxRSS). */
  peakRssMb: number;
  fileMb: number;
  sheets: string[];
}

/** Renders a synthetic model (default 1,000,000 events, 50,000 exceptions) and measures it. */
export async function benchRenderXlsx(opts: { events?: number; exceptions?: number; outDir?: string } = {}): Promise<XlsxBenchResult> {
  const events = opts.events ?? 1_000_000;
  const exceptions = opts.exceptions ?? 50_000;
  const dir = opts.outDir ?? (await mkdtemp(join(tmpdir(), 'auditpack-bench-xlsx-')));
  const out = join(dir, 'report.xlsx');
  try {
    const model = syntheticModel({ events, exceptions });
    const started = process.hrtime.bigint();
    const result = await renderXlsx(model, out);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const fileMb = (await stat(out)).size / 1e6;
    return { events, exceptions, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, fileMb, sheets: result.sheets };
  } finally {
    if (!opts.outDir) await rm(dir, { recursive: true, force: true });
  }
}

export function formatXlsxBench(r: XlsxBenchResult): string {
  // Issue 11's target: the XLSX of 1M events in 20 s or less.
  const verdict = `target ≤ 20 s: ${r.seconds <= 20 ? 'PASS' : 'FAIL'}`;
  return `render-xlsx: ${r.events.toLocaleString('en-US')} events + ${r.exceptions.toLocaleString('en-US')} exceptions in ${r.seconds.toFixed(1)} s, ` +
    `peak RSS ${r.peakRssMb.toFixed(0)} MiB, file ${r.fileMb.toFixed(1)} MB, ${r.sheets.length} sheets — ${verdict}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const events = process.argv[2] ? Number(process.argv[2]) : undefined;
  const exceptions = process.argv[3] ? Number(process.argv[3]) : undefined;
  console.log(formatXlsxBench(await benchRenderXlsx({ events, exceptions })));
}
