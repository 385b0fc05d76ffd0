import { writeFile } from 'node:fs/promises';
import type { ReportModel } from '../model/report-model.js';
import type { Renderer } from './renderer.js';

/**
 * summary.json: the report model without its row streams (the XLSX carries every row); its
 * exceptionSubjects are what month-over-month comparison reads back from a previous pack.
 */
export const summaryJsonRenderer: Renderer = {
  name: 'summary',
  file: 'summary.json',
  async render(model: ReportModel, path: string) {
    const { exceptions, events, coverage: _coverage, ...rest } = model;
    const body = { ...rest, exceptionsTotal: exceptions.count, eventsTotal: events.count };
    await writeFile(path, JSON.stringify(body, null, 2) + '\n');
  },
};

export const coverageJsonRenderer: Renderer = {
  name: 'coverage',
  file: 'coverage.json',
  async render(model: ReportModel, path: string) {
    await writeFile(path, JSON.stringify(model.coverage, null, 2) + '\n');
  },
};
