import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { syntheticModel } from '../src/model/synthetic-model.js';
import { renderPdf } from '../src/render/pdf/render-pdf.js';

export interface PdfBenchResult {
  name: 'pdf';
  events: number;
  exceptions: number;
  pages: number;
  bytes: number;
  ms: number;
  /** Highest RSS sampled while the render ran (every 20 ms), MiB. */
  peakRssMiB: number;
  /** Highest RSS of the whole process so far (getrusage), MiB: includes whatever ran before. */
  processMaxRssMiB: number;
}

/**
 * Renders report.pdf for a model of 1,000,000 events and 50,000 exceptions (the template default
 * of 500 exception rows in the PDF). Target: under 10 s.
 */
export async function benchRenderPdf(options: { events?: number; exceptions?: number } = {}): Promise<PdfBenchResult> {
  const events = options.events ?? 1_000_000;
  const exceptions = options.exceptions ?? 50_000;
  const dir = await mkdtemp(join(tmpdir(), 'auditpack-bench-pdf-'));
  const out = join(dir, 'report.pdf');
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    const started = performance.now();
    const { pages } = await renderPdf(syntheticModel({ events, exceptions }), out);
    const ms = performance.now() - started;
    peak = Math.max(peak, process.memoryUsage.rss());
    const { size } = await stat(out);
    return {
      name: 'pdf',
      events,
      exceptions,
      pages,
      bytes: size,
      ms: Math.round(ms),
      peakRssMiB: Math.round(peak / 2 ** 20),
      processMaxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    clearInterval(sampler);
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchRenderPdf();
  console.log(
    `pdf: ${r.events.toLocaleString('en-US')} events, ${r.exceptions.toLocaleString('en-US')} exceptions -> ${r.pages} pages, ` +
      `${(r.bytes / 1024).toFixed(0)} KiB in ${(r.ms / 1000).toFixed(2)} s, peak RSS ${r.peakRssMiB} MiB (target < 10 s)`,
  );
}
