import { parseS3Url, type CloudtrailAthenaConfig } from './config.js';

/**
 * The table's partition columns, as every query names them. `delivery_date` is the date folder of
 * the S3 key, the UTC date CloudTrail delivered the file, not the events' date: "A log file
 * delivered at a specific time can contain records written at any point before that time"
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html).
 * AWS's own projection example names it `timestamp`, a Trino type keyword; this name says what it is.
 */
export const PARTITION = { account: 'account', region: 'region', deliveryDate: 'delivery_date' } as const;

/** Format of `delivery_date` values, as in the S3 key: 2024/03/01. */
export const DELIVERY_DATE_FORMAT = 'yyyy/MM/dd';

/**
 * The folder that holds the account folders: `s3://bucket/prefix/AWSLogs/` or, for an organization
 * trail, `s3://bucket/prefix/AWSLogs/o-xxxxxxxxxx/`
 * (https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-org-wide-trail.html).
 */
export function accountsRoot(cfg: Pick<CloudtrailAthenaConfig, 'trailLocation' | 'organizationId'>): string {
  const { bucket, prefix } = parseS3Url(cfg.trailLocation);
  const parts = [bucket, ...(prefix ? [prefix] : []), 'AWSLogs', ...(cfg.organizationId ? [cfg.organizationId] : [])];
  return `s3://${parts.join('/')}/`;
}

/** `storage.location.template`: where one partition's files live. */
export function storageLocationTemplate(cfg: Pick<CloudtrailAthenaConfig, 'trailLocation' | 'organizationId'>): string {
  return `${accountsRoot(cfg)}\${${PARTITION.account}}/CloudTrail/\${${PARTITION.region}}/\${${PARTITION.deliveryDate}}/`;
}
