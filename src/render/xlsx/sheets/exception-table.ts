import type { ExceptionRow } from '../../../model/exception.js';
import type { Mark } from '../styles.js';
import { timeColumns, type TableSpec } from '../table-sheet.js';

const SEVERITY_MARK: Record<ExceptionRow['severity'], Mark> = { critical: 'critical', high: 'high', medium: 'medium', low: 'none' };

/** The reviewer's decision on an exception. */
export const REVIEW_STATUSES = ['Open', 'Explained', 'Accepted', 'Remediated'] as const;

/**
 * Every exception row, and the columns a reviewer fills in (status, disposition, ticket,
 * reviewer, date), left empty and unlocked on the protected sheet, so the workbook can travel
 * back with the review done.
 */
export function exceptionTable(timeZone: string, expectedRows: number): TableSpec<ExceptionRow> {
  return {
    name: 'Exceptions',
    columns: [
      { header: 'Severity', kind: 'text', value: (x) => x.severity, marked: true },
      { header: 'Control', kind: 'text', value: (x) => x.control },
      { header: 'Rule', kind: 'text', value: (x) => x.ruleId },
      { header: 'Title', kind: 'text', value: (x) => x.title },
      { header: 'Reason', kind: 'text', value: (x) => x.reason },
      ...timeColumns<ExceptionRow>('Time', timeZone, (x) => x.time),
      { header: 'Source', kind: 'text', value: (x) => x.source },
      { header: 'Service', kind: 'text', value: (x) => x.service },
      { header: 'Operation', kind: 'text', value: (x) => x.operation },
      { header: 'Response code', kind: 'text', value: (x) => x.responseCode },
      { header: 'Requester id', kind: 'text', value: (x) => x.requesterId },
      { header: 'Requester name', kind: 'text', value: (x) => x.requesterName },
      { header: 'Requester e-mail', kind: 'text', value: (x) => x.requesterEmail },
      { header: 'Resource', kind: 'text', value: (x) => x.resource },
      { header: 'Details', kind: 'text', value: (x) => x.details },
      { header: 'Client', kind: 'text', value: (x) => x.client },
      { header: 'Subject', kind: 'text', value: (x) => x.subject },
      { header: 'Event id', kind: 'text', value: (x) => x.eventId },
      { header: 'Trend', kind: 'text', value: (x) => x.trend },
      { header: 'Status', kind: 'text', value: () => null, width: 14, input: { list: REVIEW_STATUSES, prompt: REVIEW_STATUSES.join(', ') } },
      { header: 'Disposition', kind: 'text', value: () => null, width: 24, input: {} },
      { header: 'Ticket', kind: 'text', value: () => null, width: 14, input: {} },
      { header: 'Reviewer', kind: 'text', value: () => null, width: 20, input: {} },
      { header: 'Review date', kind: 'day', value: () => null, width: 14, input: {} },
    ],
    mark: (x) => SEVERITY_MARK[x.severity],
    markScope: 'marked',
    expectedRows,
  };
}
