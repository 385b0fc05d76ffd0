import { fmtLocal, fmtUtc, parseIso } from './format.js';
import type { PdfContext } from './pdf-context.js';
import { COLOR, CONTENT_WIDTH, PAGE, SIZE } from './theme.js';

/** The period as one short line for the running header: "2026-10-01 00:00 – 2026-11-01 00:00 America/New_York". */
function periodLine(ctx: PdfContext): string {
  const p = ctx.model.period;
  return `${fmtLocal(p.start, ctx.zone, false)} – ${fmtLocal(p.end, ctx.zone, false)} ${ctx.zone}`;
}

/**
 * Header and footer on every page, drawn once all pages exist (bufferPages) so the footer can say
 * "Page X of Y". Returns the page count.
 */
export function drawPageChrome(ctx: PdfContext): number {
  const { doc, ts, model } = ctx;
  const range = doc.bufferedPageRange();
  const style = { size: SIZE.chrome, color: COLOR.muted };
  const generated = parseIso(model.meta.generatedAt);
  const left = `${model.meta.title} — ${model.meta.organization}`;
  const right = `Period ${model.period.label}: ${periodLine(ctx)}`;
  const footLeft = `Pack ${model.meta.packId} · auditpack ${model.meta.toolVersion} · generated ${generated === null ? model.meta.generatedAt : fmtUtc(generated)}`;
  const headerTop = 24;
  const footerTop = PAGE.height - 30;
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const rightW = ts.width(right, style);
    ts.line(left, PAGE.marginX, headerTop, { ...style, bold: true, color: COLOR.text, width: CONTENT_WIDTH - rightW - 90 });
    ts.line(right, PAGE.marginX + CONTENT_WIDTH - rightW, headerTop, style);
    if (!model.complete) {
      // On every page, not only the cover: a page taken out of the report still says it is partial.
      const tag = 'INCOMPLETE';
      const tagStyle = { size: SIZE.chrome, bold: true, color: '#ffffff' };
      const tw = ts.width(tag, tagStyle) + 10;
      const tx = PAGE.marginX + CONTENT_WIDTH - rightW - tw - 10;
      doc.rect(tx, headerTop - 2, tw, SIZE.chrome + 5).fill(COLOR.failure);
      ts.line(tag, tx + 5, headerTop, tagStyle);
    }
    doc.moveTo(PAGE.marginX, headerTop + 14).lineTo(PAGE.marginX + CONTENT_WIDTH, headerTop + 14).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
    doc.moveTo(PAGE.marginX, footerTop - 5).lineTo(PAGE.marginX + CONTENT_WIDTH, footerTop - 5).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
    ts.line(footLeft, PAGE.marginX, footerTop, { ...style, width: CONTENT_WIDTH - 100 });
    ts.line(`Page ${i + 1} of ${range.count}`, PAGE.marginX, footerTop, { ...style, color: COLOR.text, width: CONTENT_WIDTH, align: 'right' });
  }
  return range.count;
}
