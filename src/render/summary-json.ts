import { writeFile } from 'node:fs/promises';
import type { ReportModel } from '../model/report-model.js';
import { networkLog, withoutNetwork } from '../model/network-log.js';
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

/** coverage.json: the ledger; the same inputs give the same file (network counters are in network.json). */
export const coverageJsonRenderer: Renderer = {
  name: 'coverage',
  file: 'coverage.json',
  async render(model: ReportModel, path: string) {
    await writeFile(path, JSON.stringify(withoutNetwork(model.coverage), null, 2) + '\n');
  },
};

/** network.json: attempts, retries, throttles and waits per window; they vary from run to run. */
export const networkJsonRenderer: Renderer = {
  name: 'network',
  file: 'network.json',
  async render(model: ReportModel, path: string) {
    await writeFile(path, JSON.stringify(networkLog(model.coverage), null, 2) + '\n');
  },
};
