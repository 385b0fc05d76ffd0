import type { CloudtrailAthenaConfig } from './config.js';
import { accountsRoot, DELIVERY_DATE_FORMAT, PARTITION, storageLocationTemplate } from './table-layout.js';

/**
 * The columns of AWS's CloudTrail table, as "Create the table for CloudTrail logs in Athena using
 * partition projection" lists them (https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html).
 * requestParameters, responseElements, additionalEventData and serviceEventDetails stay STRING:
 * their shape depends on the service, so queries read them with json_extract_scalar
 * (https://docs.aws.amazon.com/athena/latest/ug/cloudtrail-serde.html).
 */
export const CLOUDTRAIL_COLUMNS: readonly (readonly [string, string])[] = [
  ['eventversion', 'STRING'],
  [
    'useridentity',
    'STRUCT<type:STRING, principalid:STRING, arn:STRING, accountid:STRING, invokedby:STRING, accesskeyid:STRING, username:STRING, ' +
      'onbehalfof:STRUCT<userid:STRING, identitystorearn:STRING>, ' +
      'sessioncontext:STRUCT<attributes:STRUCT<mfaauthenticated:STRING, creationdate:STRING>, ' +
      'sessionissuer:STRUCT<type:STRING, principalid:STRING, arn:STRING, accountid:STRING, username:STRING>, ' +
      'ec2roledelivery:STRING, webidfederationdata:STRUCT<federatedprovider:STRING, attributes:MAP<STRING,STRING>>>>',
  ],
  ['eventtime', 'STRING'],
  ['eventsource', 'STRING'],
  ['eventname', 'STRING'],
  ['awsregion', 'STRING'],
  ['sourceipaddress', 'STRING'],
  ['useragent', 'STRING'],
  ['errorcode', 'STRING'],
  ['errormessage', 'STRING'],
  ['requestparameters', 'STRING'],
  ['responseelements', 'STRING'],
  ['additionaleventdata', 'STRING'],
  ['requestid', 'STRING'],
  ['eventid', 'STRING'],
  ['readonly', 'STRING'],
  ['resources', 'ARRAY<STRUCT<arn:STRING, accountid:STRING, type:STRING>>'],
  ['eventtype', 'STRING'],
  ['apiversion', 'STRING'],
  ['recipientaccountid', 'STRING'],
  ['serviceeventdetails', 'STRING'],
  ['sharedeventid', 'STRING'],
  ['vpcendpointid', 'STRING'],
  ['vpcendpointaccountid', 'STRING'],
  ['eventcategory', 'STRING'],
  ['addendum', 'STRUCT<reason:STRING, updatedfields:STRING, originalrequestid:STRING, originaleventid:STRING>'],
  ['sessioncredentialfromconsole', 'STRING'],
  ['edgedevicedetails', 'STRING'],
  ['tlsdetails', 'STRUCT<tlsversion:STRING, ciphersuite:STRING, clientprovidedhostheader:STRING>'],
];

type TableConfig = Pick<
  CloudtrailAthenaConfig,
  'database' | 'table' | 'trailLocation' | 'organizationId' | 'accounts' | 'regions' | 'accountProjection' | 'projectionStart'
>;

/**
 * CREATE EXTERNAL TABLE for the trail, with partition projection over account, region and delivery
 * date so no partition is ever added by hand. The SerDe and input format are the ones AWS
 * documents for CloudTrail (https://docs.aws.amazon.com/athena/latest/ug/cloudtrail-logs.html).
 * AWS's projection example covers one account and region; the account and region levels are
 * projected the same way (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html),
 * and an organization trail adds its `o-…` level to the location
 * (https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-org-wide-trail.html).
 * `projection.<delivery_date>.range` ends at NOW, so new days need no change; a new account or
 * region does (ALTER TABLE … SET TBLPROPERTIES, or run `athena-table --create --replace`).
 */
export function cloudtrailTableDdl(cfg: TableConfig): string {
  const columns = CLOUDTRAIL_COLUMNS.map(([name, type]) => `  ${name} ${type}`).join(',\n');
  const props: [string, string][] = [
    ['projection.enabled', 'true'],
    [`projection.${PARTITION.account}.type`, cfg.accountProjection],
    ...(cfg.accountProjection === 'enum' ? ([[`projection.${PARTITION.account}.values`, cfg.accounts.join(',')]] as [string, string][]) : []),
    [`projection.${PARTITION.region}.type`, 'enum'],
    [`projection.${PARTITION.region}.values`, cfg.regions.join(',')],
    [`projection.${PARTITION.deliveryDate}.type`, 'date'],
    [`projection.${PARTITION.deliveryDate}.format`, DELIVERY_DATE_FORMAT],
    [`projection.${PARTITION.deliveryDate}.range`, `${cfg.projectionStart},NOW`],
    [`projection.${PARTITION.deliveryDate}.interval`, '1'],
    [`projection.${PARTITION.deliveryDate}.interval.unit`, 'DAYS'],
    ['storage.location.template', storageLocationTemplate(cfg)],
  ];
  return [
    `CREATE EXTERNAL TABLE \`${cfg.database}\`.\`${cfg.table}\` (`,
    columns,
    ')',
    `PARTITIONED BY (${PARTITION.account} STRING, ${PARTITION.region} STRING, ${PARTITION.deliveryDate} STRING)`,
    "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'",
    "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'",
    "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
    `LOCATION '${accountsRoot(cfg)}'`,
    'TBLPROPERTIES (',
    props.map(([k, v]) => `  '${k}'='${v}'`).join(',\n'),
    ')',
  ].join('\n');
}

/** The statement that removes the table definition (never the trail's files: the table is EXTERNAL). */
export function dropTableDdl(cfg: Pick<CloudtrailAthenaConfig, 'database' | 'table'>): string {
  return `DROP TABLE IF EXISTS \`${cfg.database}\`.\`${cfg.table}\``;
}
