import type { ChangeDetail } from '../../model/audit-event.js';
import { boolString, isObject, str, type JsonObject } from './values.js';

/** Calls that only read: a record without `readOnly` is judged by its name. */
const READ_NAME = /^(?:Get|List|Describe|Head|Lookup|BatchGet|Search|Scan|Query|Select|Check|Test|View|Preview|Estimate|Validate)/;
/** Parameters named first when present: what an auditor decides an access change on. */
const FIRST = [
  'policyArn', 'policyName', 'policyDocument', 'policy', 'userName', 'roleName', 'groupName', 'keyId', 'bucketName', 'key',
  'accessKeyId', 'roleArn', 'instanceId', 'groupId', 'functionName', 'secretId', 'name', 'status',
];
/** Transport noise, and values a record should never carry into a report. */
const SKIP = /^(?:host|x-amz-.*|sessionToken|secretAccessKey|password|newPassword|oldPassword|clientToken|authorization)$/i;
const MAX_FACTS = 16;
const MAX_VALUE = 4000;
const MAX_DEPTH = 6;

/**
 * What a CloudTrail write event changed: the scalar request parameters (the policy attached, the
 * user, the key, the bucket) and response elements (the key or policy created, as
 * `response <name>`), flattened to dotted paths. Read-only calls and sign-ins change nothing and
 * get none. Record fields: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export function cloudTrailChangeDetails(record: JsonObject, eventName: string): ChangeDetail[] {
  if (!isWrite(record, eventName)) return [];
  const facts: ChangeDetail[] = [];
  if (isObject(record.requestParameters)) flatten(record.requestParameters, '', facts);
  const request = facts.length;
  if (isObject(record.responseElements)) flatten(record.responseElements, '', facts);
  for (let i = request; i < facts.length; i++) facts[i].name = `response ${facts[i].name}`;
  const rank = (d: ChangeDetail) => {
    const leaf = d.name.replace(/^response /, '');
    const i = FIRST.indexOf(leaf);
    return i < 0 ? FIRST.length : i;
  };
  // A stable sort: well-known names first, the rest in the record's order.
  const ordered = facts.map((d, i) => ({ d, i })).sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i).map((x) => x.d);
  if (ordered.length <= MAX_FACTS) return ordered;
  const kept = ordered.slice(0, MAX_FACTS);
  kept.push({ name: 'more', value: `${ordered.length - MAX_FACTS} more parameters in raw/` });
  return kept;
}

function isWrite(record: JsonObject, eventName: string): boolean {
  if (str(record.eventType) === 'AwsConsoleSignIn') return false;
  const readOnly = boolString(record.readOnly);
  if (readOnly !== undefined) return readOnly === 'false';
  return !READ_NAME.test(eventName);
}

function flatten(value: unknown, path: string, out: ChangeDetail[], depth = 0): void {
  if (out.length > MAX_FACTS * 4) return;
  if (isObject(value)) {
    if (depth >= MAX_DEPTH) return add(path, JSON.stringify(value), out);
    for (const [k, v] of Object.entries(value)) {
      if (SKIP.test(k)) continue;
      flatten(v, path ? `${path}.${k}` : k, out, depth + 1);
    }
    return;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => !isObject(v) && !Array.isArray(v))) {
      const items = value.map((v) => scalar(v)).filter((v): v is string => v !== undefined);
      if (items.length > 0) add(path, items.join(', '), out);
      return;
    }
    value.forEach((v, i) => flatten(v, value.length === 1 ? path : `${path}[${i}]`, out, depth + 1));
    return;
  }
  const s = scalar(value);
  if (s !== undefined && path) add(path, s, out);
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'boolean') return String(v);
  const s = str(v);
  if (s === undefined) return undefined;
  // A policy document is JSON in a string, pretty-printed: stated compactly, whole.
  if ((s.startsWith('{') || s.startsWith('%7B')) && s.length > 2) return compactJson(s);
  return s.replace(/\s+/g, ' ');
}

function compactJson(s: string): string {
  let text = s;
  if (text.startsWith('%7B')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return s;
    }
  }
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text.replace(/\s+/g, ' ');
  }
}

function add(name: string, value: string, out: ChangeDetail[]): void {
  const v = value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)} [${value.length} characters; the whole value is in raw/]` : value;
  out.push({ name, value: v });
}
