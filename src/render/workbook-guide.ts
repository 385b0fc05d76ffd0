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
  ['always', 'Coverage', 'every source × window pulled: requests, pages, records received and kept, status'],
  ['always', 'Manifest', 'the pack parameters and what identifies the run'],
];

/** Rows per sheet Excel allows, the header row included: Events continues on "Events (2)"… past it. */
export const EXCEL_MAX_ROWS = 1_048_576;

/**
 * The sample sheets' names, in model order: "Sample - <population>" cut to Excel's 31 characters
 * and without the characters a sheet name cannot hold; numbered where two would clash.
 */
export function sampleSheetNames(populations: readonly string[]): string[] {
  const taken = new Set<string>();
  return populations.map((population, index) => {
    const clean = population.replace(/[[\]:*?/\\]/g, ' ').replace(/\s+/g, ' ').trim();
    let name = clean ? `Sample - ${clean}`.slice(0, 31).trimEnd() : `Sample ${index + 1}`;
    if (taken.has(name.toLowerCase())) name = `Sample ${index + 1} - ${clean}`.slice(0, 31).trimEnd();
    taken.add(name.toLowerCase());
    return name;
  });
}

/**
 * The workbook's sheets for this model, in workbook order, each with one line on what it holds:
 * the sample sheets by their real names, and the Events continuation sheets where there are any.
 */
export function workbookGuide(model: Pick<ReportModel, 'sections' | 'samples'> & { events: { count: number }; exceptions: { count: number } }, rowLimit = EXCEL_MAX_ROWS): WorkbookSheetGuide[] {
  const out: WorkbookSheetGuide[] = [];
  for (const [section, sheet, holds] of SHEETS) {
    if (section !== 'always' && !model.sections.includes(section)) continue;
    // The sample sheets sit between the tables and the Coverage sheet, as the workbook writes them.
    if (sheet === 'Coverage') out.push(...sampleGuides(model.samples));
    out.push({ sheet, holds });
    // Only the row streams can pass Excel's row limit; the other tables hold one row per group.
    if (section === 'events') out.push(...continuations(sheet, 'the population continued: events', model.events.count, rowLimit));
    if (section === 'exceptions') out.push(...continuations(sheet, 'continued: exceptions', model.exceptions.count, rowLimit));
  }
  return out;
}

function sampleGuides(samples: ReportModel['samples']): WorkbookSheetGuide[] {
  const names = sampleSheetNames(samples.map((s) => s.population));
  return samples.map((s, i) => ({
    sheet: names[i] ?? `Sample ${i + 1}`,
    holds: `the auditor sample of ${s.population}: ${s.sampleSize.toLocaleString('en-US')} of ${s.populationSize.toLocaleString('en-US')} events, seed, method and columns to record the test`,
  }));
}

function continuations(sheet: string, what: string, rows: number, rowLimit: number): WorkbookSheetGuide[] {
  const perSheet = rowLimit - 1;
  const sheets = Math.max(1, Math.ceil(rows / perSheet));
  const out: WorkbookSheetGuide[] = [];
  const n = (v: number) => v.toLocaleString('en-US');
  for (let k = 2; k <= sheets; k++) out.push({ sheet: `${sheet} (${k})`, holds: `${what} ${n((k - 1) * perSheet + 1)} to ${n(Math.min(rows, k * perSheet))}` });
  return out;
}
