import { z } from 'zod';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT = /^\d{12}$/;
const S3_URL = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;
/** Glue/Athena names: lower-case letters, digits and underscores (https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html). */
const GLUE_NAME = /^[a-z0-9_]{1,255}$/;

const s3Url = (what: string, example: string) => z.string().regex(S3_URL, { error: `${what} must be an s3:// URL such as ${example}` });

export const cloudtrailAthenaConfigSchema = z
  .object({
    type: z.literal('cloudtrail-athena'),
    name: z.string().min(1).optional(),
    /** The region Athena runs in (and, normally, the trail bucket's region). */
    region: z.string().regex(REGION, { error: 'region looks like "us-east-1"' }),
    workgroup: z.string().min(1).max(128).default('primary'),
    database: z.string().regex(GLUE_NAME, { error: 'database: lower-case letters, digits and _ only' }).default('default'),
    table: z.string().regex(GLUE_NAME, { error: 'table: lower-case letters, digits and _ only' }).default('cloudtrail_logs'),
    /**
     * Where Athena writes query results (ResultConfiguration.OutputLocation). Omit for a workgroup
     * with managed query results or an enforced output location: such a workgroup rejects or
     * overrides it (https://docs.aws.amazon.com/athena/latest/APIReference/API_ResultConfiguration.html).
     */
    outputLocation: s3Url('outputLocation', 's3://my-athena-results/auditpack/').optional(),
    /** The trail's bucket and key prefix: the folder that holds `AWSLogs/`, e.g. s3://my-trail-bucket/prefix. */
    trailLocation: s3Url('trailLocation', 's3://my-trail-bucket/prefix'),
    /**
     * Accounts and regions the table projects. A value missing here is a partition Athena does not
     * read and silently returns no rows for; completeness checks against the digests catch it.
     */
    accounts: z
      .array(z.string().regex(ACCOUNT, { error: 'an AWS account id is 12 digits' }))
      .min(1, { error: 'name at least one account' })
      .refine((a) => new Set(a).size === a.length, { error: 'accounts must not repeat' }),
    regions: z
      .array(z.string().regex(REGION, { error: 'a region looks like "us-east-1"' }))
      .min(1, { error: 'name at least one region, e.g. ["us-east-1"]' })
      .refine((r) => new Set(r).size === r.length, { error: 'regions must not repeat' }),
    /** Organization trail: the `o-…` folder under AWSLogs/ (the table's location gains that level). */
    organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, { error: 'an organization id looks like o-a1b2c3d4e5' }).optional(),
    /**
     * How the account partition is projected: `enum` lists `accounts` in the table properties;
     * `injected` takes the accounts from each query's WHERE clause, for organizations too large for
     * an enum ("a few dozen or less": https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html).
     */
    accountProjection: z.enum(['enum', 'injected']).default('enum'),
    /** First delivery date the table projects (yyyy/MM/dd); earlier partitions do not exist for Athena. */
    projectionStart: z
      .string()
      .regex(/^\d{4}\/\d{2}\/\d{2}$/, { error: 'projectionStart is a date written yyyy/MM/dd, e.g. 2020/01/01' })
      .default('2013/11/01'),
    /** Fetch the period's digest files and compare the log files they list with the files Athena read. */
    verifyDigests: z.boolean().default(true),
    /**
     * With verifyDigests, also fetch every log file the digests list (from S3) and check its
     * SHA-256 against its digest, as cloudtrail-files and `aws cloudtrail validate-logs` do: the
     * only check that catches a file changed in place, at the cost of downloading the period's files.
     */
    hashLogFiles: z.boolean().default(false),
    /** Public keys for offline digest validation: `aws cloudtrail list-public-keys` JSON output, or PEM. */
    publicKeysFile: z.string().min(1).optional(),
    /** Athena endpoint instead of AWS's (an emulator, a VPC endpoint). */
    endpoint: z.url({ error: 'endpoint must be an absolute URL such as http://127.0.0.1:4566' }).optional(),
    /** S3 endpoint for the digest and log files (an S3-compatible server, a VPC endpoint). */
    s3Endpoint: z.url({ error: 's3Endpoint must be an absolute URL such as http://127.0.0.1:9000' }).optional(),
    forcePathStyle: z.boolean().optional(),
    /** CloudTrail endpoint for ListPublicKeys (an emulator or a VPC endpoint). */
    cloudtrailEndpoint: z.url({ error: 'cloudtrailEndpoint must be an absolute URL' }).optional(),
    /** Named profile of the AWS shared config files (default: the standard chain, AWS_PROFILE included). */
    profile: z.string().min(1).optional(),
    /** How long after a window's end files may still hold its records (the date partition is the delivery date). */
    lateDeliveryMinutes: z.number().int().min(0).max(30 * 24 * 60).default(1440),
    /** Window length; whole days are cut at local midnights. */
    windowHours: z.number().int().min(1).max(24 * 31).default(24),
    /** Queries running at once; Athena's active-DML quota counts queued queries too. */
    concurrency: z.number().int().min(1).max(32).default(4),
    /** A query still QUEUED or RUNNING after this long is stopped and its window failed. */
    queryTimeoutMinutes: z.number().positive().max(240).default(30),
    /** Submissions of one query when Athena reports it FAILED with AthenaError.Retryable. */
    maxQueryAttempts: z.number().int().min(1).max(10).default(3),
    /** GetQueryExecution polling: first delay, doubled up to the maximum. */
    pollIntervalMs: z.number().int().min(10).max(60_000).default(500),
    maxPollIntervalMs: z.number().int().min(10).max(300_000).default(5_000),
  })
  .strict();

export type CloudtrailAthenaConfigInput = z.input<typeof cloudtrailAthenaConfigSchema>;
export type CloudtrailAthenaConfig = z.output<typeof cloudtrailAthenaConfigSchema>;

/** `s3://bucket/a/b/` → { bucket, prefix: "a/b" } (no leading or trailing "/"). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const rest = url.replace(/^s3:\/\//, '');
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: rest, prefix: '' };
  return { bucket: rest.slice(0, slash), prefix: rest.slice(slash + 1).replace(/^\/+|\/+$/g, '') };
}
