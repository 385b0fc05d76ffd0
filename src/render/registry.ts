import type { Template } from '../templates/template.js';
import { renderPdf } from './pdf/render-pdf.js';
import { renderXlsx } from './xlsx/render-xlsx.js';
import { xlsxContentDigest } from '../pack/xlsx-content-digest.js';
import { eventsCsvRenderer } from './events-csv.js';
import { coverageJsonRenderer, networkJsonRenderer, summaryJsonRenderer } from './summary-json.js';
import type { Renderer } from './renderer.js';

/** The renderers every pack gets; the template decides what goes in them (sections). */
export function renderersFor(_template: Template): Renderer[] {
  return [
    summaryJsonRenderer,
    coverageJsonRenderer,
    networkJsonRenderer,
    { name: 'pdf', file: 'report.pdf', render: renderPdf },
    xlsxRenderer(),
    eventsCsvRenderer,
  ];
}

/**
 * The workbook, whose content digest is taken while it is written; read back from the file only
 * if this renderer did not write it.
 */
function xlsxRenderer(): Renderer {
  const written = new Map<string, string>();
  return {
    name: 'xlsx',
    file: 'report.xlsx',
    async render(model, path) {
      const result = await renderXlsx(model, path);
      written.set(path, result.contentSha256);
      return result;
    },
    contentDigest: async (path) => written.get(path) ?? xlsxContentDigest(path),
  };
}
