import { formatDetails, type AuditEvent } from '../../../model/audit-event.js';
import type { SamplePick } from '../../../model/report-model.js';
import type { PlainRow } from '../plain-rows.js';
import { timeColumns, type Column, type TableSpec } from '../table-sheet.js';

/**
 * The normalized event, one row per event: the population an auditor filters and samples. The one
 * list of its columns: the Events sheet, the sample sheets and events.csv.gz all read it, so a
 * column added here appears in each of them.
 */
export function eventColumns(timeZone: string): Column<AuditEvent>[] {
  return [
    ...timeColumns<AuditEvent>('Time', timeZone, (e) => e.time),
    { header: 'Source', kind: 'text', value: (e) => e.source },
    { header: 'Service', kind: 'text', value: (e) => e.service },
    { header: 'Operation', kind: 'text', value: (e) => e.operation },
    { header: 'Outcome', kind: 'text', value: (e) => e.outcome },
    { header: 'Response code', kind: 'text', value: (e) => e.responseCode },
    { header: 'Requester id', kind: 'text', value: (e) => e.requester.id },
    { header: 'Requester name', kind: 'text', value: (e) => e.requester.name },
    { header: 'Requester e-mail', kind: 'text', value: (e) => e.requester.email },
    { header: 'Client', kind: 'text', value: (e) => e.client?.name ?? e.client?.id },
    { header: 'Resources', kind: 'text', value: (e) => e.resources.map((r) => r.id).join('; ') },
    { header: 'Details', kind: 'text', value: (e) => formatDetails(e.details) },
    { header: 'Region', kind: 'text', value: (e) => e.region },
    { header: 'Account', kind: 'text', value: (e) => e.account },
    { header: 'Source IP', kind: 'text', value: (e) => e.sourceIp },
    { header: 'User agent', kind: 'text', value: (e) => e.userAgent },
    { header: 'Error message', kind: 'text', value: (e) => e.errorMessage },
    { header: 'Event id', kind: 'text', value: (e) => e.id },
  ];
}

export function eventTable(name: string, timeZone: string, expectedRows: number, preamble?: PlainRow[]): TableSpec<AuditEvent> {
  return {
    name,
    columns: eventColumns(timeZone),
    mark: (e) => (e.outcome === 'failure' ? 'failure' : 'none'),
    markScope: 'row',
    expectedRows,
    ...(preamble ? { preamble } : {}),
  };
}

export interface SampleRow {
  event: AuditEvent;
  pick: SamplePick;
}

/** What a tester records per sampled item; the result is one of these. */
export const TEST_RESULTS = ['Pass', 'Exception', 'Not applicable'] as const;

/**
 * A sample: why each item was chosen (its draw rank and its position in the population), the
 * event's columns, then the columns the tester fills in, unlocked on the protected sheet.
 */
export function sampleTable(name: string, timeZone: string, expectedRows: number, preamble: PlainRow[]): TableSpec<SampleRow> {
  const event = eventColumns(timeZone).map((col): Column<SampleRow> => ({ ...col, value: (r) => col.value(r.event) }));
  return {
    name,
    columns: [
      { header: 'Selection rank', kind: 'count', value: (r) => r.pick.rank, width: 11 },
      { header: 'Population position', kind: 'count', value: (r) => r.pick.position, width: 12 },
      ...event,
      { header: 'Attribute tested', kind: 'text', value: () => null, width: 28, input: {} },
      { header: 'Evidence reference', kind: 'text', value: () => null, width: 24, input: {} },
      { header: 'Result', kind: 'text', value: () => null, width: 16, input: { list: TEST_RESULTS, prompt: TEST_RESULTS.join(', ') } },
      { header: 'Tested by', kind: 'text', value: () => null, width: 18, input: {} },
      { header: 'Test date', kind: 'day', value: () => null, width: 14, input: {} },
    ],
    mark: (r) => (r.event.outcome === 'failure' ? 'failure' : 'none'),
    markScope: 'row',
    expectedRows,
    preamble,
  };
}
