import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { AuditpackError } from '../../errors.js';
import type { ReportModel, SectionId } from '../../model/report-model.js';
import { locateFontFiles } from './font-files.js';
import { parseIso } from './format.js';
import { drawPageChrome } from './page-chrome.js';
import { paragraph } from './page-flow.js';
import type { PdfContext } from './pdf-context.js';
import { drawCharts, drawSummary } from './sections/summary.js';
import { drawClients, drawDaily, drawOperations, drawRequesters, drawResponseCodes } from './sections/count-tables.js';
import { drawCoverageAppendix } from './sections/coverage-appendix.js';
import { drawCover } from './sections/cover.js';
import { drawExceptions } from './sections/exceptions.js';
import { drawFailureClusters } from './sections/failure-clusters.js';
import { drawSamples } from './sections/samples.js';
import { drawSignOff } from './sections/sign-off.js';
import { drawMethod } from './sections/method.js';
import { createTypesetter } from './typesetter.js';
import { COLOR, PAGE, SIZE } from './theme.js';

type SectionDrawer = (ctx: PdfContext) => void | Promise<void>;

/** What each section id draws in the PDF. `events` is XLSX-only: the PDF never reads the event stream. */
const DRAWERS: Partial<Record<SectionId, SectionDrawer>> = {
  cover: drawCover,
  summary: drawSummary,
  charts: drawCharts,
  operations: drawOperations,
  responseCodes: drawResponseCodes,
  requesters: drawRequesters,
  clients: drawClients,
  daily: drawDaily,
  exceptions: drawExceptions,
  failureClusters: drawFailureClusters,
  sample: drawSamples,
  coverage: drawCoverageAppendix,
  signoff: drawSignOff,
};

/**
 * The template's sections, plus what every report states whatever the template: period, method,
 * completeness and coverage (after the summary, else after the cover), and the sign-off block last.
 */
export function pdfDrawers(sections: SectionId[]): SectionDrawer[] {
  const out: SectionDrawer[] = [];
  const after = sections.includes('summary') ? 'summary' : sections.includes('cover') ? 'cover' : null;
  if (after === null) out.push(drawMethod);
  for (const id of sections) {
    if (id === 'signoff') continue;
    const draw = DRAWERS[id];
    if (draw) out.push(draw);
    if (id === after) out.push(drawMethod);
  }
  out.push(drawSignOff);
  return out;
}

function documentInfo(model: ReportModel, generatedAt: Date): PDFKit.DocumentInfo {
  const p = model.period;
  return {
    Title: `${model.meta.title} — ${model.meta.organization} — ${p.label}`,
    Author: model.meta.organization,
    Subject: `Audit log evidence for ${p.label} in ${p.timeZone}: ${p.startLocal} to ${p.endLocal} (${p.startUtc} to ${p.endUtc}), ${model.complete ? 'COMPLETE' : 'INCOMPLETE'}`,
    Keywords: ['audit log', 'evidence pack', model.meta.template, `period ${p.label}`, `pack ${model.meta.packId}`].join(', '),
    Creator: `auditpack ${model.meta.toolVersion}`,
    Producer: 'auditpack (PDFKit)',
    // Pinned to generated-at rather than the wall clock: the trailer /ID is a hash of this
    // dictionary, so the same model gives the same bytes.
    CreationDate: generatedAt,
    ModDate: generatedAt,
  };
}

/**
 * Renders report.pdf from the report model: the sections the template lists, in its order, with a
 * running header and "Page X of Y" footer. Reads at most `pdfExceptionLimit` exception rows and
 * never the events stream. Writes to `<outPath>.partial` and renames, so a failed render leaves no
 * half-written report.
 */
export async function renderPdf(model: ReportModel, outPath: string): Promise<{ pages: number }> {
  const generated = parseIso(model.meta.generatedAt);
  if (generated === null) {
    throw new AuditpackError('INTERNAL', `the report's generated-at "${model.meta.generatedAt}" is not an ISO 8601 time`, {
      hint: 'pass --generated-at as an ISO 8601 UTC time, e.g. 2026-11-02T09:00:00Z',
    });
  }
  const fonts = await locateFontFiles();
  const doc = new PDFDocument({
    size: [PAGE.width, PAGE.height],
    margin: PAGE.marginX,
    bufferPages: true,
    autoFirstPage: false,
    // A font file as the default keeps pdfkit from adding an unembedded Helvetica to the file.
    font: fonts.latinRegular,
    pdfVersion: '1.7',
    lang: 'en',
    displayTitle: true,
    info: documentInfo(model, new Date(generated)),
  });
  const partial = `${outPath}.partial`;
  const written = pipeline(doc, createWriteStream(partial));
  try {
    const ctx: PdfContext = { doc, ts: createTypesetter(doc, fonts), model, zone: model.period.timeZone, y: PAGE.contentTop };
    doc.addPage();
    const sections = model.pdfSections.filter((s) => DRAWERS[s] !== undefined);
    if (sections.length === 0) paragraph(ctx, 'The template lists no section for the PDF report.', { size: SIZE.body, color: COLOR.muted });
    for (const draw of pdfDrawers(sections)) await draw(ctx);
    const pages = drawPageChrome(ctx);
    doc.end();
    await written;
    await rename(partial, outPath);
    return { pages };
  } catch (e) {
    doc.destroy();
    await written.catch(() => undefined);
    await rm(partial, { force: true });
    throw e;
  }
}
