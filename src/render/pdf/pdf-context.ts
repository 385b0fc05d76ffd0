import type { ReportModel } from '../../model/report-model.js';
import type { Typesetter } from './typesetter.js';

/**
 * What every section drawer gets: the document, the typesetter, the model and the flow position.
 * One per render call; `y` is the only thing that changes as sections are drawn.
 */
export interface PdfContext {
  doc: PDFKit.PDFDocument;
  ts: Typesetter;
  model: ReportModel;
  /** The report's IANA time zone (model.period.timeZone). */
  zone: string;
  /** Top of the free space on the current page. */
  y: number;
}
