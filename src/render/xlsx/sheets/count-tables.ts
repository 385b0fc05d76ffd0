import { responseClassLabel } from '../../labels.js';
import { responseClass } from '../../../model/audit-event.js';
import type { CountRow, DailyRow, FailureCluster, RequesterRow } from '../../../model/report-model.js';
import type { Mark } from '../styles.js';
import { timeColumns, type Column, type TableSpec } from '../table-sheet.js';

const failureMark = (row: { failures: number }): Mark => (row.failures > 0 ? 'failure' : 'none');
const failureText = (row: { failures: number }): Mark => (row.failures > 0 ? 'failureText' : 'none');

function countColumns<R extends CountRow>(timeZone: string): Column<R>[] {
  return [
    { header: 'Events', kind: 'count', value: (r) => r.events },
    { header: 'Failures', kind: 'count', value: (r) => r.failures, marked: true },
    { header: 'Failure rate', kind: 'rate', value: (r) => r.failureRate, marked: true },
    ...timeColumns<R>('First event', timeZone, (r) => r.firstTime),
    ...timeColumns<R>('Last event', timeZone, (r) => r.lastTime),
  ];
}

/** Operations, Clients: the key, its label where any row has one, then the counts. */
export function countTable(name: string, keyHeader: string, labelHeader: string, rows: CountRow[], timeZone: string): TableSpec<CountRow> {
  const hasLabel = rows.some((r) => r.label !== undefined && r.label !== r.key);
  return {
    name,
    columns: [
      { header: keyHeader, kind: 'text', value: (r) => r.key },
      ...(hasLabel ? [{ header: labelHeader, kind: 'text' as const, value: (r: CountRow) => r.label }] : []),
      ...countColumns<CountRow>(timeZone),
    ],
    mark: failureText,
    markScope: 'marked',
    expectedRows: rows.length,
  };
}

/** Operations by service and name: the same two columns the Events and Exceptions sheets use. */
export function operationTable(rows: CountRow[], timeZone: string): TableSpec<CountRow> {
  return {
    name: 'Operations',
    columns: [
      { header: 'Service', kind: 'text', value: (r) => r.service ?? null },
      { header: 'Operation', kind: 'text', value: (r) => r.operation ?? r.key },
      ...countColumns<CountRow>(timeZone),
    ],
    mark: failureText,
    markScope: 'marked',
    expectedRows: rows.length,
  };
}

/** Response codes: a code with failures is a failure code, so its whole row is marked. */
export function responseCodeTable(rows: CountRow[], timeZone: string): TableSpec<CountRow> {
  return {
    name: 'Response Codes',
    columns: [
      { header: 'Response code', kind: 'text', value: (r) => r.key },
      { header: 'Class', kind: 'text', value: (r) => responseClassLabel(responseClass({ responseCode: r.key, outcome: r.failures > 0 ? 'failure' : 'success' })) },
      ...countColumns<CountRow>(timeZone),
    ],
    mark: failureMark,
    markScope: 'row',
    expectedRows: rows.length,
  };
}

export function requesterTable(rows: RequesterRow[], timeZone: string): TableSpec<RequesterRow> {
  return {
    name: 'Requesters',
    columns: [
      { header: 'Name', kind: 'text', value: (r) => r.name },
      { header: 'E-mail', kind: 'text', value: (r) => r.email },
      { header: 'Requester id', kind: 'text', value: (r) => r.key },
      { header: 'Type', kind: 'text', value: (r) => r.type },
      { header: 'In directory', kind: 'text', value: (r) => (r.inDirectory ? 'yes' : 'no') },
      ...countColumns<RequesterRow>(timeZone),
    ],
    mark: failureText,
    markScope: 'marked',
    expectedRows: rows.length,
  };
}

export function dailyTable(rows: DailyRow[], timeZone: string): TableSpec<DailyRow> {
  return {
    name: 'Daily',
    columns: [
      { header: `Day (${timeZone})`, kind: 'day', value: (r) => r.day },
      { header: 'Events', kind: 'count', value: (r) => r.events },
      { header: 'Successes', kind: 'count', value: (r) => r.events - r.failures },
      { header: 'Failures', kind: 'count', value: (r) => r.failures, marked: true },
      { header: 'Failure rate', kind: 'rate', value: (r) => (r.events ? r.failures / r.events : 0), marked: true },
    ],
    mark: failureText,
    markScope: 'marked',
    expectedRows: rows.length,
  };
}

export function failureClusterTable(rows: FailureCluster[], timeZone: string): TableSpec<FailureCluster> {
  return {
    name: 'Failure clusters',
    columns: [
      { header: 'Requester name', kind: 'text', value: (r) => r.requesterName },
      { header: 'Requester id', kind: 'text', value: (r) => r.requesterId },
      { header: 'Service', kind: 'text', value: (r) => r.service },
      { header: 'Operation', kind: 'text', value: (r) => r.operation },
      { header: 'Response code', kind: 'text', value: (r) => r.responseCode },
      { header: 'Failures', kind: 'count', value: (r) => r.failures },
      ...timeColumns<FailureCluster>('First failure', timeZone, (r) => r.firstTime),
      ...timeColumns<FailureCluster>('Last failure', timeZone, (r) => r.lastTime),
    ],
    expectedRows: rows.length,
  };
}
