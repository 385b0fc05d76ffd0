import { createHash } from 'node:crypto';
import type { AuditEvent } from '../../model/audit-event.js';
import { AuditpackError } from '../../errors.js';
import { amplitudeChangeDetails } from './change-details.js';
import { readRecord, readTime } from './response-adapter.js';

/** Actions that name a refusal or failure ("login_failed", "access_denied"). */
const FAILURE_ACTION = /fail|denied|deny|reject/i;

/** One Amplitude audit record → the normalized event. Operation is domain/feature/action. */
export function normalizeAmplitudeRecord(raw: unknown, sourceName: string): AuditEvent {
  const f = readRecord(raw);
  const time = readTime(f.timestamp);
  if (time === null) throw new AuditpackError('DATA_INVALID', `Amplitude record ${f.id ?? '(no id)'} has no usable timestamp`);
  const failed = f.error !== undefined || (f.action !== undefined && FAILURE_ACTION.test(f.action));
  const attributes: Record<string, string> = {};
  for (const [k, v] of [
    ['domain', f.domain],
    ['feature', f.feature],
    ['action', f.action],
    ['orgId', f.orgId],
    ['projectId', f.projectId],
  ] as const) {
    if (v !== undefined) attributes[k] = v;
  }
  // Scalar event properties (old_role, new_role, permission…) are what rules match on.
  for (const [k, v] of Object.entries(f.properties)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attributes[`prop.${k}`] = String(v);
  }
  const requesterId = f.userEmail ?? f.userId ?? 'unknown';
  const event: AuditEvent = {
    id: f.id ?? contentHash(raw),
    time,
    source: sourceName,
    sourceType: 'amplitude',
    service: f.domain ?? 'unknown',
    operation: `${f.domain ?? '-'}/${f.feature ?? '-'}/${f.action ?? '-'}`,
    outcome: failed ? 'failure' : 'success',
    // Amplitude states no status code: the outcome as a word is the code, spelled as the CloudTrail
    // sources spell theirs, so the response-code tables count one "Success" and one "Failure".
    responseCode: failed ? 'Failure' : 'Success',
    requester: f.userEmail ? { id: requesterId, type: 'user', email: f.userEmail } : { id: requesterId, type: 'user' },
    resources: f.target ? [f.target.type ? { id: f.target.id, type: f.target.type } : { id: f.target.id }] : [],
    attributes,
  };
  if (f.orgId) event.account = f.orgId;
  if (f.ip) event.sourceIp = f.ip;
  if (f.userAgent) {
    event.userAgent = f.userAgent;
    event.client = { name: f.userAgent };
  }
  if (f.error) event.errorMessage = f.error.slice(0, 200);
  const details = amplitudeChangeDetails(f.action, f.properties);
  if (details.length > 0) event.details = details;
  return event;
}

function contentHash(raw: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(raw)).digest('hex').slice(0, 32)}`;
}
