import { quoteIdent, type HiveType } from './hive-types.js';

/**
 * CloudTrail's record keys as written in its log files
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
 * The Hive JSON SerDe matches keys to columns without regard to case; DuckDB's JSON reader
 * matches them exactly, so the emulator reads with the keys' real spelling and the table's
 * lower-case names come from DuckDB's case-insensitive struct casts. Keys seen in the data being
 * loaded are learned too (`learnKeyCasing`), so a spelling missing here is still read.
 */
const CLOUDTRAIL_KEYS = [
  'eventVersion', 'userIdentity', 'type', 'principalId', 'arn', 'accountId', 'invokedBy', 'accessKeyId', 'userName',
  'onBehalfOf', 'userId', 'identityStoreArn', 'sessionContext', 'attributes', 'mfaAuthenticated', 'creationDate',
  'sessionIssuer', 'ec2RoleDelivery', 'webIdFederationData', 'federatedProvider', 'sourceIdentity', 'eventTime',
  'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'errorCode', 'errorMessage',
  'requestParameters', 'responseElements', 'additionalEventData', 'requestID', 'eventID', 'readOnly', 'resources',
  'ARN', 'eventType', 'apiVersion', 'managementEvent', 'recipientAccountId', 'serviceEventDetails', 'sharedEventID',
  'vpcEndpointId', 'vpcEndpointAccountId', 'eventCategory', 'addendum', 'reason', 'updatedFields', 'originalRequestID',
  'originalEventID', 'sessionCredentialFromConsole', 'edgeDeviceDetails', 'tlsDetails', 'tlsVersion', 'cipherSuite',
  'clientProvidedHostHeader',
];

/** Keys spelled differently at one place than elsewhere: `resources[].ARN` beside `userIdentity.arn`. */
const CLOUDTRAIL_PATH_KEYS: Record<string, string> = { 'resources[].arn': 'ARN' };

/** Spellings by path (`useridentity.sessioncontext.sessionissuer.arn`), then by name. */
export interface KeyCasing {
  byPath: Map<string, string>;
  byName: Map<string, string>;
}

export function cloudTrailKeyCasing(): KeyCasing {
  return {
    byPath: new Map(Object.entries(CLOUDTRAIL_PATH_KEYS)),
    byName: new Map(CLOUDTRAIL_KEYS.filter((k) => k !== 'ARN').map((k) => [k.toLowerCase(), k])),
  };
}

/** Learns the spelling of every declared struct field present in a parsed record. */
export function learnKeyCasing(value: unknown, fields: readonly { name: string; type: HiveType }[], m: KeyCasing, path = ''): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const byLower = new Map<string, string>();
  for (const k of Object.keys(value)) if (!byLower.has(k.toLowerCase())) byLower.set(k.toLowerCase(), k);
  for (const f of fields) {
    const key = byLower.get(f.name);
    if (key === undefined) continue;
    const at = path ? `${path}.${f.name}` : f.name;
    if (!m.byPath.has(at)) m.byPath.set(at, key);
    learnNested((value as Record<string, unknown>)[key], f.type, m, at);
  }
}

function learnNested(value: unknown, t: HiveType, m: KeyCasing, path: string): void {
  if (t.kind === 'struct') learnKeyCasing(value, t.fields, m, path);
  else if (t.kind === 'array' && Array.isArray(value)) for (const v of value.slice(0, 20)) learnNested(v, t.element, m, `${path}[]`);
  else if (t.kind === 'map' && value && typeof value === 'object') for (const v of Object.values(value).slice(0, 20)) learnNested(v, t.value, m, `${path}{}`);
}

/**
 * The DuckDB type that reads a Hive column straight from the JSON, struct fields under the keys'
 * spellings. STRING stays VARCHAR, which DuckDB fills with an object's JSON text, as the SerDe does.
 */
export function readerType(t: HiveType, casing: KeyCasing, duckdb: (t: HiveType) => string, path: string): string {
  switch (t.kind) {
    case 'primitive':
      return duckdb(t);
    case 'array':
      return `${readerType(t.element, casing, duckdb, `${path}[]`)}[]`;
    case 'map':
      return `MAP(${duckdb(t.key)}, ${readerType(t.value, casing, duckdb, `${path}{}`)})`;
    case 'struct':
      return `STRUCT(${t.fields
        .map((f) => {
          const at = path ? `${path}.${f.name}` : f.name;
          return `${quoteIdent(spelling(at, f.name, casing))} ${readerType(f.type, casing, duckdb, at)}`;
        })
        .join(', ')})`;
  }
}

export function spelling(path: string, lower: string, casing: KeyCasing): string {
  return casing.byPath.get(path) ?? casing.byName.get(lower) ?? lower;
}
