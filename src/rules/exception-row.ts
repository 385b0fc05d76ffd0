import { formatDetails, type AuditEvent } from '../model/audit-event.js';
import type { ExceptionRow } from '../model/exception.js';
import { localParts } from '../period/time-zone.js';
import type { RuleSpec } from './rule-spec.js';

type RuleHeader = Pick<RuleSpec, 'id' | 'title' | 'severity' | 'control' | 'reason'>;

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "2026-10-03 22:14 Sat" on the wall clock of `zone`: what a reviewer reads in a reason. */
export function localStamp(zone: string, t: number): string {
  const p = localParts(zone, t);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.y}-${two(p.m + 1)}-${two(p.d)} ${two(p.h)}:${two(p.min)} ${WEEKDAYS[p.dow]}`;
}

const QUARTER_HOUR = 15 * 60_000;

/**
 * localStamp, memoized per UTC quarter hour: zone offsets are whole quarter hours, so one Intl
 * lookup per quarter hour gives the offset and plain UTC arithmetic does the rest. Reasons are
 * written for every after-hours event, so this is on the per-event path.
 */
export function createLocalStamper(zone: string): (t: number) => string {
  const offsets = new Map<number, number | null>();
  const two = (n: number) => String(n).padStart(2, '0');
  return (t) => {
    const bucket = Math.floor(t / QUARTER_HOUR);
    let offset = offsets.get(bucket);
    if (offset === undefined) {
      const at = bucket * QUARTER_HOUR;
      const p = localParts(zone, at);
      // Historical local-mean-time offsets are not quarter hours: no shortcut there.
      offset = p.min % 15 !== 0 ? null : Date.UTC(p.y, p.m, p.d, p.h, p.min) - at;
      if (offsets.size >= 50_000) offsets.clear();
      offsets.set(bucket, offset);
    }
    if (offset === null) return localStamp(zone, t);
    const d = new Date(t + offset);
    return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} ${WEEKDAYS[d.getUTCDay()]}`;
  };
}

function resourceLabel(e: AuditEvent): string | null {
  const first = e.resources[0];
  if (!first) return null;
  return e.resources.length > 1 ? `${first.id} (+${e.resources.length - 1} more)` : first.id;
}

export function rowFromEvent(rule: RuleHeader, e: AuditEvent, subject: string, detail?: string): ExceptionRow {
  return {
    ruleId: rule.id,
    title: rule.title,
    severity: rule.severity,
    control: rule.control,
    reason: detail ? `${rule.reason} (${detail})` : rule.reason,
    time: e.time,
    source: e.source,
    eventId: e.id,
    service: e.service,
    operation: e.operation,
    responseCode: e.responseCode,
    requesterId: e.requester.id,
    requesterName: e.requester.name ?? null,
    requesterEmail: e.requester.email ?? null,
    resource: resourceLabel(e),
    client: e.client?.name ?? e.client?.id ?? null,
    details: formatDetails(e.details),
    subject,
  };
}

/** A finding that is not one event: a burst, a failed window, a broken digest chain. */
export function findingRow(
  rule: RuleHeader,
  f: {
    time: number;
    source: string;
    subject: string;
    detail: string;
    service?: string;
    operation?: string;
    responseCode?: string;
    requesterId?: string;
    requesterName?: string | null;
    requesterEmail?: string | null;
    resource?: string | null;
    client?: string | null;
  },
): ExceptionRow {
  return {
    ruleId: rule.id,
    title: rule.title,
    severity: rule.severity,
    control: rule.control,
    reason: `${rule.reason} (${f.detail})`,
    time: f.time,
    source: f.source,
    eventId: null,
    service: f.service ?? '',
    operation: f.operation ?? '',
    responseCode: f.responseCode ?? '',
    requesterId: f.requesterId ?? '',
    requesterName: f.requesterName ?? null,
    requesterEmail: f.requesterEmail ?? null,
    resource: f.resource ?? null,
    client: f.client ?? null,
    details: null,
    subject: f.subject,
  };
}
