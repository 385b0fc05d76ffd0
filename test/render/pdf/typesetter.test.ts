import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { locateFontFiles } from '../../../src/render/pdf/font-files.js';
import { createTypesetter } from '../../../src/render/pdf/typesetter.js';

async function typesetter() {
  const fonts = await locateFontFiles();
  const doc = new PDFDocument({ autoFirstPage: false, font: fonts.latinRegular });
  return createTypesetter(doc, fonts);
}

const style = { size: 8 };

describe('typesetter wrap', () => {
  it('breaks a camelCase code between its words, not inside one', async () => {
    const ts = await typesetter();
    const width = ts.width('AccessDenied', style) + 1;
    expect(ts.wrap('AccessDeniedException', width, style)).toEqual(['AccessDenied', 'Exception']);
  });

  it('breaks an operation name at its dots first, then between camelCase words', async () => {
    const ts = await typesetter();
    const width = ts.width('deleteAccountLinking', style) + 1;
    expect(ts.wrap('deleteAccountLinkingInfo.v1', width, style)).toEqual(['deleteAccountLinking', 'Info.v1']);
  });

  it('falls back to characters only for a word wider than the line, losing none', async () => {
    const ts = await typesetter();
    const text = 'AGY4YAMADATAROU0000000003';
    const lines = ts.wrap(text, ts.width('AGY4YAMADA', style), style);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('')).toBe(text);
  });

  it('keeps a name with diacritics or in Han whole when it fits', async () => {
    const ts = await typesetter();
    for (const name of ['Zoë Łukasiewicz', 'Søren Ågård', '山田太郎']) expect(ts.wrap(name, 200, style)).toEqual([name]);
  });
});
