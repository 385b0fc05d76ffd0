/** The one shape every source normalizes to. Aggregation, rules and renderers only ever see this. */
export type SourceType = 'smapi' | 'cloudtrail' | 'cloudtrail-files' | 'cloudtrail-athena' | 'trail-logs' | 'amplitude';

export type Outcome = 'success' | 'failure';

export interface Requester {
  /** Stable identifier as the source gives it (LWA user id, IAM ARN, e-mail, API key id). */
  id: string;
  /** Identity kind where the source has one (CloudTrail userIdentity.type, Trail Logs auth method). */
  type?: string;
  /** Filled from the requester directory, never invented. */
  name?: string;
  email?: string;
}

export interface ResourceRef {
  id: string;
  type?: string;
}

export interface ClientRef {
  id?: string;
  name?: string;
}

/**
 * One fact of what an event changed, as the source states it: a role before and after, the policy
 * a request attached, the key a response created. Values are whole (never shortened here).
 */
export interface ChangeDetail {
  /** What the fact is about, as the source names it ("role", "policyArn", "response accessKeyId"). */
  name: string;
  /** The value after the change, or the value the request set. */
  value: string;
  /** The value before the change, where the source states it. */
  before?: string;
}

export interface AuditEvent {
  /** Unique within the source; a content hash where the source gives none. */
  id: string;
  /** Epoch milliseconds, UTC. */
  time: number;
  /** Source instance name from the config (defaults to its type). */
  source: string;
  sourceType: SourceType;
  /** Product area: `smapi`, the CloudTrail eventSource, the vendor service, the Amplitude domain. */
  service: string;
  /** What was called. */
  operation: string;
  outcome: Outcome;
  /** The code as the source states it: "200", "403", "AccessDenied", "Success". */
  responseCode: string;
  requester: Requester;
  client?: ClientRef;
  resources: ResourceRef[];
  region?: string;
  account?: string;
  sourceIp?: string;
  userAgent?: string;
  errorMessage?: string;
  /**
   * Source-specific facts that rules match on (e.g. `mfa: "false"`, `scope: "management"`,
   * `identityType: "Root"`). Flat strings only, so templates can match them declaratively.
   */
  attributes?: Readonly<Record<string, string>>;
  /** What changed, where the source says so (see ChangeDetail); absent for reads and for sources that state nothing. */
  details?: ChangeDetail[];
}

/** "role: member → admin; policyArn: arn:aws:iam::aws:policy/ReadOnly": the Details column's text. */
export function formatDetails(details: readonly ChangeDetail[] | undefined): string | null {
  if (!details || details.length === 0) return null;
  return details.map((d) => (d.before !== undefined ? `${d.name}: ${d.before} → ${d.value}` : `${d.name}: ${d.value}`)).join('; ');
}

export type ResponseKind = 'success' | 'client error' | 'server error';

/** Symbolic codes that say the service failed rather than the caller (AWS InternalError, ServiceUnavailable…). */
const SERVER_CODE = /internal|unavailable|servicefailure|serverexception|server_error|timeout|throttl/i;

/**
 * What a response code means, the same three words for every kind of source: HTTP statuses by
 * class (1xx–3xx success, 4xx client error, 5xx server error); "Success" is success; a symbolic
 * failure (CloudTrail's AccessDenied, a refused sign-in's "Failure") is a client error unless it
 * names a fault of the service (InternalError, ServiceUnavailable, throttling).
 */
export function responseKind(code: string, failed: boolean): ResponseKind {
  const n = Number(code);
  if (Number.isInteger(n) && n >= 100 && n <= 599) return n >= 500 ? 'server error' : n >= 400 ? 'client error' : 'success';
  if (!failed) return 'success';
  return SERVER_CODE.test(code) ? 'server error' : 'client error';
}

/** "2xx", "4xx", "5xx" for numeric codes; "error" / "ok" for symbolic ones. */
export function responseClass(event: Pick<AuditEvent, 'responseCode' | 'outcome'>): string {
  const n = Number(event.responseCode);
  if (Number.isInteger(n) && n >= 100 && n <= 599) return `${Math.floor(n / 100)}xx`;
  return event.outcome === 'failure' ? 'error' : 'ok';
}
