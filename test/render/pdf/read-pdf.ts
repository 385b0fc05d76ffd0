import { readFile } from 'node:fs/promises';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfText {
  /** Text items of each page in drawing order, one string per item. */
  pages: string[][];
  info: Record<string, unknown>;
}

/** Reads a PDF back with pdf.js (an independent reader, not pdfkit) as text items per page. */
export async function readPdf(path: string): Promise<PdfText> {
  const data = new Uint8Array(await readFile(path));
  const pdf = await getDocument({ data, verbosity: 0, disableFontFace: true, useSystemFonts: false }).promise;
  try {
    const pages: string[][] = [];
    for (let i = 1; i <= pdf.numPages; i++) {
      const page = await pdf.getPage(i);
      const content = await page.getTextContent();
      pages.push(content.items.map((it) => ('str' in it ? it.str : '')).filter((s) => s.trim() !== ''));
    }
    const meta = await pdf.getMetadata();
    return { pages, info: meta.info as Record<string, unknown> };
  } finally {
    await pdf.destroy();
  }
}

/** A page's items joined with new lines, for `toContain` on phrases drawn as one line. */
export const pageText = (items: string[]): string => items.join('\n');
