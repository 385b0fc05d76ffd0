/**
 * The CloudTrail table's columns as AWS documents them for Athena (lower-case, the userIdentity
 * struct, requestParameters/responseElements/additionalEventData kept as JSON strings:
 * https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html,
 * https://docs.aws.amazon.com/athena/latest/ug/cloudtrail-serde.html), each read as one leaf so a
 * result row carries plain strings, and the record path it is put back at when an exception or a
 * sample needs the full record (so the local normalizer reads it exactly as it reads a log file).
 */
export interface LeafColumn {
  /** Name in the query's output. */
  alias: string;
  /** Expression over the table. */
  expr: string;
  /** Where the value goes in a rebuilt CloudTrail record. */
  path: readonly string[];
  /** A JSON text column (parsed back into the record) rather than a plain string. */
  json?: boolean;
}

export const LEAF_COLUMNS: readonly LeafColumn[] = [
  { alias: 'c_event_version', expr: 'eventversion', path: ['eventVersion'] },
  { alias: 'c_ui_type', expr: 'useridentity.type', path: ['userIdentity', 'type'] },
  { alias: 'c_ui_principal_id', expr: 'useridentity.principalid', path: ['userIdentity', 'principalId'] },
  { alias: 'c_ui_arn', expr: 'useridentity.arn', path: ['userIdentity', 'arn'] },
  { alias: 'c_ui_account_id', expr: 'useridentity.accountid', path: ['userIdentity', 'accountId'] },
  { alias: 'c_ui_invoked_by', expr: 'useridentity.invokedby', path: ['userIdentity', 'invokedBy'] },
  { alias: 'c_ui_access_key_id', expr: 'useridentity.accesskeyid', path: ['userIdentity', 'accessKeyId'] },
  { alias: 'c_ui_user_name', expr: 'useridentity.username', path: ['userIdentity', 'userName'] },
  { alias: 'c_sc_mfa', expr: 'useridentity.sessioncontext.attributes.mfaauthenticated', path: ['userIdentity', 'sessionContext', 'attributes', 'mfaAuthenticated'] },
  { alias: 'c_sc_created', expr: 'useridentity.sessioncontext.attributes.creationdate', path: ['userIdentity', 'sessionContext', 'attributes', 'creationDate'] },
  { alias: 'c_si_type', expr: 'useridentity.sessioncontext.sessionissuer.type', path: ['userIdentity', 'sessionContext', 'sessionIssuer', 'type'] },
  { alias: 'c_si_principal_id', expr: 'useridentity.sessioncontext.sessionissuer.principalid', path: ['userIdentity', 'sessionContext', 'sessionIssuer', 'principalId'] },
  { alias: 'c_si_arn', expr: 'useridentity.sessioncontext.sessionissuer.arn', path: ['userIdentity', 'sessionContext', 'sessionIssuer', 'arn'] },
  { alias: 'c_si_account_id', expr: 'useridentity.sessioncontext.sessionissuer.accountid', path: ['userIdentity', 'sessionContext', 'sessionIssuer', 'accountId'] },
  { alias: 'c_si_user_name', expr: 'useridentity.sessioncontext.sessionissuer.username', path: ['userIdentity', 'sessionContext', 'sessionIssuer', 'userName'] },
  { alias: 'c_event_time', expr: 'eventtime', path: ['eventTime'] },
  { alias: 'c_event_source', expr: 'eventsource', path: ['eventSource'] },
  { alias: 'c_event_name', expr: 'eventname', path: ['eventName'] },
  { alias: 'c_aws_region', expr: 'awsregion', path: ['awsRegion'] },
  { alias: 'c_source_ip', expr: 'sourceipaddress', path: ['sourceIPAddress'] },
  { alias: 'c_user_agent', expr: 'useragent', path: ['userAgent'] },
  { alias: 'c_error_code', expr: 'errorcode', path: ['errorCode'] },
  { alias: 'c_error_message', expr: 'errormessage', path: ['errorMessage'] },
  { alias: 'c_request_parameters', expr: 'requestparameters', path: ['requestParameters'], json: true },
  { alias: 'c_response_elements', expr: 'responseelements', path: ['responseElements'], json: true },
  { alias: 'c_additional_event_data', expr: 'additionaleventdata', path: ['additionalEventData'], json: true },
  { alias: 'c_request_id', expr: 'requestid', path: ['requestID'] },
  { alias: 'c_event_id', expr: 'eventid', path: ['eventID'] },
  { alias: 'c_read_only', expr: 'readonly', path: ['readOnly'] },
  // Trino casts a row to a JSON object keyed by field name (https://trino.io/docs/current/functions/json.html#cast-to-json).
  { alias: 'c_resources', expr: 'json_format(CAST(resources AS JSON))', path: ['resources'], json: true },
  { alias: 'c_event_type', expr: 'eventtype', path: ['eventType'] },
  { alias: 'c_api_version', expr: 'apiversion', path: ['apiVersion'] },
  { alias: 'c_recipient_account_id', expr: 'recipientaccountid', path: ['recipientAccountId'] },
  { alias: 'c_service_event_details', expr: 'serviceeventdetails', path: ['serviceEventDetails'], json: true },
  { alias: 'c_shared_event_id', expr: 'sharedeventid', path: ['sharedEventID'] },
  { alias: 'c_vpc_endpoint_id', expr: 'vpcendpointid', path: ['vpcEndpointId'] },
  { alias: 'c_event_category', expr: 'eventcategory', path: ['eventCategory'] },
];

/** Athena's hidden column naming the S3 object a row came from (Trino Hive connector `$path`). */
export const PATH_COLUMN = '"$path"';
