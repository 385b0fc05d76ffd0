import type { AuditEvent, Outcome } from '../../model/audit-event.js';
import { AuditpackError } from '../../errors.js';
import { cloudTrailChangeDetails } from './change-details.js';
import { cloudTrailContentHash } from './content-hash.js';
import { parseCloudTrailTime } from './event-time.js';
import { resourcesOf } from './record-resources.js';
import { identityOf } from './requester.js';
import { boolString, isObject, obj, str, type JsonObject } from './values.js';

/**
 * One CloudTrail event record (a log-file record, or LookupEvents' `CloudTrailEvent` parsed) →
 * the normalized event. Record fields: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html.
 *
 * Returns null for a digest record (a digest file read by mistake: it has `digestStartTime` /
 * `digestSignatureAlgorithm` and no `eventName`). Throws DATA_INVALID for a value that is not an
 * object and for a record with no usable time (`eventTime`, else the vendor copy `p_event_time`):
 * an event that cannot be placed in time cannot be counted in a window, and dropping it silently
 * would hide it.
 *
 * - id: `eventID`; else `sha256:<hex>` of the canonical record (see content-hash.ts).
 * - outcome: failure when `errorCode` is present, or when a sign-in says `"Failure"` in
 *   responseElements (`ConsoleLogin`, and the other `…Login` keys sign-in events use, such as
 *   `ExternalIdPDirectoryLogin`): those carry only an errorMessage. Two readings of real data:
 *   an empty `errorCode` is no code; an `errorCode` that is an HTTP success status (1xx-3xx, e.g.
 *   Managed Grafana's `"200"`, whose own result says success) is not an error: outcome success,
 *   responseCode "Success" (the code as written stays in attributes.statedErrorCode).
 * - responseCode: the errorCode, else "Failure" for a failed sign-in, else "Success".
 * - requester: see requester.ts (`<role ARN> (session <name>)` for assumed roles).
 * - attributes (flat strings, only when the record states them): identityType, mfa, readOnly,
 *   eventType, eventCategory, managementEvent, consoleLogin, sessionName, roleArn, invokedBy,
 *   eventVersion. `mfa` is "true"/"false": additionalEventData.MFAUsed when present (it is about
 *   this sign-in), else sessionContext.attributes.mfaAuthenticated (about the calling session).
 * - details: what a write event changed (change-details.ts).
 */
export function normalizeCloudTrailRecord(
  record: unknown,
  sourceName: string,
  sourceType: 'cloudtrail' | 'cloudtrail-files' | 'cloudtrail-athena',
): AuditEvent | null {
  if (!isObject(record)) throw new AuditpackError('DATA_INVALID', 'a CloudTrail record is not a JSON object');
  if (isDigestRecord(record)) return null;

  const eventId = str(record.eventID);
  const time = parseCloudTrailTime(record.eventTime) ?? parseCloudTrailTime(record.p_event_time);
  if (time === null) {
    const shown = typeof record.eventTime === 'string' ? `"${record.eventTime.slice(0, 40)}"` : 'missing';
    throw new AuditpackError(
      'DATA_INVALID',
      `CloudTrail record ${eventId ?? '(no eventID)'} (${str(record.eventSource) ?? '?'} ${str(record.eventName) ?? '?'}) has no usable eventTime (${shown})`,
    );
  }

  const service = str(record.eventSource) ?? 'unknown';
  const operation = str(record.eventName) ?? 'unknown';
  const identity = identityOf(record.userIdentity);
  const { outcome, responseCode } = outcomeOf(record);
  const userAgent = str(record.userAgent);

  const event: AuditEvent = {
    id: eventId ?? cloudTrailContentHash(record),
    time,
    source: sourceName,
    sourceType,
    service,
    operation,
    outcome,
    responseCode,
    requester: identity.requester,
    resources: resourcesOf(record, service, operation),
    attributes: attributesOf(record, identity),
  };
  if (userAgent) {
    event.userAgent = userAgent;
    event.client = { id: userAgent, name: clientName(userAgent) };
  }
  const region = str(record.awsRegion);
  if (region) event.region = region;
  const account = str(record.recipientAccountId);
  if (account) event.account = account;
  // Some services write "client, proxy" (a forwarded chain): the first address is the caller.
  const ip = str(record.sourceIPAddress)?.split(',')[0].trim();
  if (ip) event.sourceIp = ip;
  const errorMessage = str(record.errorMessage);
  if (errorMessage) event.errorMessage = errorMessage;
  const details = cloudTrailChangeDetails(record, operation);
  if (details.length > 0) event.details = details;
  return event;
}

/** A digest file's record (CloudTrail digest file structure): never an event. */
function isDigestRecord(record: JsonObject): boolean {
  return (
    record.eventName === undefined &&
    (record.digestStartTime !== undefined || record.digestSignatureAlgorithm !== undefined || record.digestS3Object !== undefined)
  );
}

function outcomeOf(record: JsonObject): { outcome: Outcome; responseCode: string } {
  const errorCode = str(record.errorCode);
  const successStatus = errorCode !== undefined && /^[1-3]\d\d$/.test(errorCode);
  if (errorCode && !successStatus) return { outcome: 'failure', responseCode: errorCode };
  if (signInFailed(obj(record.responseElements))) return { outcome: 'failure', responseCode: 'Failure' };
  // One vocabulary per kind of source: a success stated as an HTTP status is "Success" like every
  // other successful CloudTrail call (the status stays in the event's attributes as statedErrorCode).
  return { outcome: 'success', responseCode: 'Success' };
}

function signInFailed(responseElements: JsonObject): boolean {
  for (const [k, v] of Object.entries(responseElements)) {
    if ((k === 'ConsoleLogin' || k.endsWith('Login')) && str(v)?.toLowerCase() === 'failure') return true;
  }
  return false;
}

function attributesOf(record: JsonObject, identity: ReturnType<typeof identityOf>): Record<string, string> {
  const ui = obj(record.userIdentity);
  const a: Record<string, string> = {};
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined) a[k] = v;
  };
  set('identityType', str(ui.type));
  set(
    'mfa',
    boolString(obj(record.additionalEventData).MFAUsed) ?? boolString(obj(obj(ui.sessionContext).attributes).mfaAuthenticated),
  );
  set('readOnly', boolString(record.readOnly));
  set('eventType', str(record.eventType));
  set('eventCategory', str(record.eventCategory));
  set('managementEvent', boolString(record.managementEvent));
  set('consoleLogin', str(obj(record.responseElements).ConsoleLogin));
  set('sessionName', identity.sessionName);
  set('roleArn', identity.roleArn);
  set('invokedBy', identity.invokedBy);
  set('eventVersion', str(record.eventVersion));
  set('statedErrorCode', str(record.errorCode));
  return a;
}

/** The tool's name from a user agent ("aws-cli/2.17 Python/3.11" → "aws-cli"), so reports group by tool. */
export function clientName(userAgent: string): string {
  // Hot path (once per record): index scanning instead of regex and split.
  const from = userAgent.charCodeAt(0) === 91 /* [ */ ? 1 : 0;
  let to = userAgent.length;
  for (let i = from; i < userAgent.length; i++) {
    const c = userAgent.charCodeAt(i);
    if (c === 47 /* / */ || c === 44 /* , */) {
      to = i;
      break;
    }
  }
  const name = userAgent.slice(from, to).trim() || userAgent;
  return name.length > 64 ? name.slice(0, 64) : name;
}
