import type { PdfContext } from './pdf-context.js';
import { COLOR, CONTENT_WIDTH, PAGE, SIZE } from './theme.js';
import type { TextStyle } from './typesetter.js';

/** Page breaks and the vertical flow shared by every section. */

export function newPage(ctx: PdfContext): void {
  ctx.doc.addPage();
  ctx.y = PAGE.contentTop;
}

/** Starts a new page unless `height` points still fit on this one. */
export function ensureSpace(ctx: PdfContext, height: number): void {
  if (ctx.y + height > PAGE.contentBottom) newPage(ctx);
}

export function gap(ctx: PdfContext, points: number): void {
  ctx.y += points;
}

/**
 * A section title (H1) with a bookmark in the PDF outline. `keepWith` is the height that must fit
 * below the title on the same page (a table header and a few rows), so a title never ends a page.
 */
export function sectionTitle(ctx: PdfContext, title: string, options: { newPage?: boolean; keepWith?: number } = {}): void {
  if (options.newPage && ctx.y > PAGE.contentTop) newPage(ctx);
  else {
    if (ctx.y > PAGE.contentTop) ctx.y += 14;
    ensureSpace(ctx, SIZE.h1 * 2 + (options.keepWith ?? 60));
  }
  ctx.doc.outline.addItem(title);
  ctx.ts.line(title, PAGE.marginX, ctx.y, { size: SIZE.h1, bold: true, color: COLOR.accent });
  ctx.y += SIZE.h1 * 1.35;
  ctx.doc.moveTo(PAGE.marginX, ctx.y).lineTo(PAGE.marginX + CONTENT_WIDTH, ctx.y).lineWidth(0.8).strokeColor(COLOR.accent).stroke();
  ctx.y += 8;
}

export function subheading(ctx: PdfContext, text: string, options: { keepWith?: number; color?: string } = {}): void {
  ensureSpace(ctx, SIZE.h2 * 1.6 + (options.keepWith ?? 40));
  ctx.ts.line(text, PAGE.marginX, ctx.y, { size: SIZE.h2, bold: true, color: options.color ?? COLOR.text, width: CONTENT_WIDTH });
  ctx.y += SIZE.h2 * 1.6;
}

/** Wrapped text across the content width; continues on the next page line by line. */
export function paragraph(ctx: PdfContext, text: string, style: TextStyle = { size: SIZE.body }, indent = 0): void {
  const lh = ctx.ts.lineHeight(style);
  for (const l of ctx.ts.wrap(text, CONTENT_WIDTH - indent, style)) {
    ensureSpace(ctx, lh);
    ctx.ts.line(l, PAGE.marginX + indent, ctx.y, style);
    ctx.y += lh;
  }
}

/** Label/value pairs in two columns; values wrap. */
export function keyValues(ctx: PdfContext, pairs: [string, string][], options: { labelWidth?: number; width?: number; x?: number } = {}): void {
  const x = options.x ?? PAGE.marginX;
  const labelWidth = options.labelWidth ?? 150;
  const valueWidth = (options.width ?? CONTENT_WIDTH) - labelWidth - 8;
  const style = { size: SIZE.body };
  const lh = ctx.ts.lineHeight(style);
  for (const [label, value] of pairs) {
    const lines = ctx.ts.wrap(value === '' ? '—' : value, valueWidth, style);
    ensureSpace(ctx, Math.min(lines.length, 3) * lh);
    ctx.ts.line(label, x, ctx.y, { ...style, color: COLOR.muted, width: labelWidth });
    for (const l of lines) {
      ensureSpace(ctx, lh);
      ctx.ts.line(l, x + labelWidth + 8, ctx.y, style);
      ctx.y += lh;
    }
  }
}
