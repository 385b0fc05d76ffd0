import type { Template } from '../templates/template.js';
import { renderPdf } from './pdf/render-pdf.js';
import { renderXlsx } from './xlsx/render-xlsx.js';
import { xlsxContentDigest } from '../pack/xlsx-content-digest.js';
import { coverageJsonRenderer, summaryJsonRenderer } from './summary-json.js';
import type { Renderer } from './renderer.js';

/** The renderers every pack gets; the template decides what goes in them (sections). */
export function renderersFor(_template: Template): Renderer[] {
  return [
    summaryJsonRenderer,
    coverageJsonRenderer,
    { name: 'pdf', file: 'report.pdf', render: renderPdf },
    { name: 'xlsx', file: 'report.xlsx', render: renderXlsx, contentDigest: xlsxContentDigest },
  ];
}
