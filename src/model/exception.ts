import { compareCodePoints } from '../util/compare.js';
export type Severity = 'critical' | 'high' | 'medium' | 'low';

export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** Month-over-month state against a previous pack (set only with --previous). */
export type ExceptionTrend = 'new' | 'recurring' | 'resolved';

/** One exception: an event (or a coverage finding) matched by a rule. Rules annotate, never drop. */
export interface ExceptionRow {
  ruleId: string;
  title: string;
  severity: Severity;
  /** The SOC 2 Trust Services Criterion the rule supports, e.g. "CC6.1". */
  control: string;
  /** Plain-language reason this row is an exception. */
  reason: string;
  /** Epoch ms, UTC. */
  time: number;
  source: string;
  eventId: string | null;
  /** The event's service (CloudTrail eventSource, `smapi`, the Amplitude domain); '' for findings that are not one event. */
  service: string;
  operation: string;
  responseCode: string;
  requesterId: string;
  requesterName: string | null;
  requesterEmail: string | null;
  resource: string | null;
  client: string | null;
  /** What the event changed (formatDetails of the event's details), null where the source states nothing. */
  details: string | null;
  /** What the exception is about, for matching across months: requester, resource, window... */
  subject: string;
  trend?: ExceptionTrend;
}

/**
 * The order of exception rows within a severity and day: by time, rule and event, then by every
 * field that can tell two rows apart, so that rows of two sources reading the same events (two
 * accounts' names for one trail) come out in the same order whichever source arrived first.
 */
export function compareExceptionRows(a: ExceptionRow, b: ExceptionRow): number {
  return (
    a.time - b.time ||
    compareCodePoints(a.ruleId, b.ruleId) ||
    compareCodePoints(a.eventId ?? '', b.eventId ?? '') ||
    compareCodePoints(a.source, b.source) ||
    compareCodePoints(a.subject, b.subject) ||
    compareCodePoints(a.operation, b.operation) ||
    compareCodePoints(a.requesterId, b.requesterId) ||
    compareCodePoints(a.reason, b.reason)
  );
}
