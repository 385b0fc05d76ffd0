import { sqlString } from './literals.js';

/**
 * The local normalizer (src/sources/cloudtrail-common: normalize-record.ts, requester.ts) written
 * as SQL over the leaf columns (columns.ts), so Athena groups and filters by exactly the values
 * the local path computes for each record. Each expression names the JavaScript it mirrors; a
 * change there must change here (the differential tests compare both on the same files).
 *
 * Layered as CTE steps because a SELECT cannot refer to its own aliases.
 */

/** `str()` of values.ts: trimmed, and an empty string is no value. */
export const s = (col: string): string => `nullif(trim(${col}), '')`;

/** `boolString()` of values.ts: "true"/"false" from true/yes/false/no in any case. */
const bool = (col: string): string =>
  `(CASE lower(${s(col)}) WHEN 'true' THEN 'true' WHEN 'yes' THEN 'true' WHEN 'false' THEN 'false' WHEN 'no' THEN 'false' END)`;

/** requester.ts ASSUMED_ROLE. */
const ASSUMED_ROLE = '^arn:([^:]+):(?:sts|iam)::([^:]*):assumed-role/([^/]+)(?:/(.+))?$';
const group = (col: string, n: number) => `nullif(regexp_extract(${col}, ${sqlString(ASSUMED_ROLE)}, ${n}), '')`;

/** Step 1: trimmed fields and the assumed-role ARN's parts. */
export const STEP_TRIMMED: readonly [string, string][] = [
  ['t_ui_type', s('c_ui_type')],
  ['t_ui_arn', s('c_ui_arn')],
  ['t_ui_invoked_by', s('c_ui_invoked_by')],
  ['t_ui_principal_id', s('c_ui_principal_id')],
  ['t_error_code', s('c_error_code')],
  ['t_user_agent', s('c_user_agent')],
];

/** Step 2: the assumed role (requester.ts assumedRole()). */
export const STEP_ROLE: readonly [string, string][] = [
  ['r_partition', group('t_ui_arn', 1)],
  ['r_account', `regexp_extract(t_ui_arn, ${sqlString(ASSUMED_ROLE)}, 2)`],
  ['r_role', group('t_ui_arn', 3)],
  ['r_session', group('t_ui_arn', 4)],
  ['r_matched', `coalesce(regexp_like(t_ui_arn, ${sqlString(ASSUMED_ROLE)}), false)`],
  [
    'r_principal_session',
    `(CASE WHEN strpos(t_ui_principal_id, ':') > 0 THEN nullif(substr(t_ui_principal_id, strpos(t_ui_principal_id, ':') + 1), '') END)`,
  ],
  // normalize-record.ts outcomeOf(): an HTTP success status in errorCode is not an error.
  ['o_success_status', `coalesce(regexp_like(t_error_code, '^[1-3][0-9][0-9]$'), false)`],
  // signInFailed(): a top-level `…Login` key of responseElements saying "Failure" in any case.
  ['o_sign_in_failed', `coalesce(regexp_like(c_response_elements, '"[A-Za-z0-9_]*Login"\\s*:\\s*"\\s*(?i:failure)\\s*"'), false)`],
  // clientName(): the tool's name up to the first "/" or "," (a leading "[" skipped), at most 64 characters.
  [
    'k_client_raw',
    `trim(regexp_extract(CASE WHEN substr(t_user_agent, 1, 1) = '[' THEN substr(t_user_agent, 2) ELSE t_user_agent END, '^[^/,]*', 0))`,
  ],
];

/** Step 3: role ARN and session, outcome and response code. */
export const STEP_IDENTITY: readonly [string, string][] = [
  ['r_session_name', 'coalesce(r_session, r_principal_session)'],
  [
    'r_role_arn',
    `coalesce(${s('c_si_arn')}, CASE WHEN r_matched THEN 'arn:' || r_partition || ':iam::' || r_account || ':role/' || r_role END, ${s('c_si_user_name')})`,
  ],
  ['n_failed', '((t_error_code IS NOT NULL AND NOT o_success_status) OR o_sign_in_failed)'],
  [
    'n_code',
    `(CASE WHEN t_error_code IS NOT NULL AND NOT o_success_status THEN t_error_code WHEN o_sign_in_failed THEN 'Failure' ELSE coalesce(t_error_code, 'Success') END)`,
  ],
  ['n_client_name', `substr(coalesce(nullif(k_client_raw, ''), t_user_agent), 1, 64)`],
];

/** Step 4: the normalized event's fields that rules and counts read. */
export const STEP_EVENT: readonly [string, string][] = [
  ['n_service', `coalesce(${s('c_event_source')}, 'unknown')`],
  ['n_operation', `coalesce(${s('c_event_name')}, 'unknown')`],
  ['n_outcome', `(CASE WHEN n_failed THEN 'failure' ELSE 'success' END)`],
  // responseClass() of audit-event.ts.
  ['n_class', `(CASE WHEN regexp_like(n_code, '^[1-5][0-9][0-9]$') THEN substr(n_code, 1, 1) || 'xx' WHEN n_failed THEN 'error' ELSE 'ok' END)`],
  // identityOf(): role ARN with its session, the service for AWSService, else the first identifying field.
  [
    'n_requester',
    `(CASE WHEN t_ui_type = 'AssumedRole' AND r_role_arn IS NOT NULL THEN r_role_arn || coalesce(' (session ' || r_session_name || ')', '')
      WHEN t_ui_type = 'AWSService' AND t_ui_invoked_by IS NOT NULL THEN t_ui_invoked_by
      ELSE coalesce(t_ui_arn, ${s('c_ui_user_name')}, t_ui_principal_id, ${s('c_ui_account_id')}, t_ui_invoked_by, 'unknown') END)`,
  ],
  ['n_requester_type', 't_ui_type'],
  ['n_region', s('c_aws_region')],
  ['n_account', s('c_recipient_account_id')],
  ['n_source_ip', `nullif(trim(split_part(${s('c_source_ip')}, ',', 1)), '')`],
  ['n_user_agent', 't_user_agent'],
  // attributesOf(): only what the record states.
  ['a_identity_type', 't_ui_type'],
  ['a_mfa', `coalesce(${bool(`json_extract_scalar(c_additional_event_data, '$.MFAUsed')`)}, ${bool('c_sc_mfa')})`],
  ['a_read_only', bool('c_read_only')],
  ['a_event_type', s('c_event_type')],
  ['a_event_category', s('c_event_category')],
  ['a_console_login', s(`json_extract_scalar(c_response_elements, '$.ConsoleLogin')`)],
  ['a_session_name', `(CASE WHEN t_ui_type = 'AssumedRole' AND r_role_arn IS NOT NULL THEN r_session_name END)`],
  ['a_role_arn', `(CASE WHEN t_ui_type = 'AssumedRole' AND r_role_arn IS NOT NULL THEN r_role_arn END)`],
  ['a_invoked_by', 't_ui_invoked_by'],
  ['a_event_version', s('c_event_version')],
];

/** Attribute names of normalize-record.ts attributesOf() that have a column here. */
export const ATTRIBUTE_COLUMNS: Readonly<Record<string, string>> = {
  identityType: 'a_identity_type',
  mfa: 'a_mfa',
  readOnly: 'a_read_only',
  eventType: 'a_event_type',
  eventCategory: 'a_event_category',
  consoleLogin: 'a_console_login',
  sessionName: 'a_session_name',
  roleArn: 'a_role_arn',
  invokedBy: 'a_invoked_by',
  eventVersion: 'a_event_version',
};

/**
 * Attributes the local normalizer sets that the AWS table does not have (managementEvent is not a
 * column of the documented DDL): a rule on them cannot be evaluated in SQL.
 */
export const ATTRIBUTES_WITHOUT_COLUMN: ReadonlySet<string> = new Set(['managementEvent']);

/** `SELECT *, expr AS name, …` for one step. */
export function selectStep(from: string, step: readonly [string, string][]): string {
  return `SELECT *, ${step.map(([name, expr]) => `${expr} AS ${name}`).join(',\n    ')}\n  FROM ${from}`;
}
