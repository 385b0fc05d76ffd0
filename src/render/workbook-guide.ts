import type { ReportModel, SectionId } from '../model/report-model.js';

export interface WorkbookSheetGuide {
  sheet: string;
  holds: string;
}

const SHEETS: readonly (readonly [SectionId | 'always', string, string])[] = [
  ['always', 'Summary', 'the period, status, totals, and what every other sheet holds'],
  ['operations', 'Operations', 'events and failures per operation'],
  ['responseCodes', 'Response Codes', 'events per response code, with its class (success, client error, server error)'],
  ['requesters', 'Requesters', 'events and failures per requester: full id, and the directory name beside it'],
  ['clients', 'Clients', 'events and failures per client tool'],
  ['daily', 'Daily', 'events and failures per day of the report zone'],
  ['exceptions', 'Exceptions', 'every exception with its rule, control, service, details of what changed and event id, and columns for the reviewer'],
  ['failureClusters', 'Failure clusters', 'repeated failures by requester, operation and code'],
  ['events', 'Events', 'the whole normalized event population in time order, with what each change event changed (Details)'],
  ['sample', 'Sample - <population>', 'the auditor sample: population, size, seed, method and the selected events'],
  ['always', 'Coverage', 'every source × window pulled: requests, pages, records received and kept, status'],
  ['always', 'Manifest', 'the pack parameters and what identifies the run'],
];

/** The workbook's sheets for this model, in workbook order, each with one line on what it holds. */
export function workbookGuide(model: Pick<ReportModel, 'sections' | 'samples'>): WorkbookSheetGuide[] {
  return SHEETS.filter(([section]) => section === 'always' || (model.sections.includes(section) && (section !== 'sample' || model.samples.length > 0))).map(
    ([, sheet, holds]) => ({ sheet, holds }),
  );
}
