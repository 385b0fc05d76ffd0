import type { AuditEvent } from '../../../model/audit-event.js';
import type { PlainRow } from '../plain-rows.js';
import { timeColumns, type Column, type TableSpec } from '../table-sheet.js';

/** The normalized event, one row per event: the population an auditor filters and samples. */
function eventColumns(timeZone: string): Column<AuditEvent>[] {
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
