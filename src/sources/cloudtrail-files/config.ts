import { z } from 'zod';

export const cloudtrailFilesConfigSchema = z
  .object({
    type: z.literal('cloudtrail-files'),
    name: z.string().min(1).optional(),
    /**
     * Where the trail's `AWSLogs/` folder lives: `s3://bucket/prefix` (the trail's S3 key prefix,
     * or just `s3://bucket`) or a local folder as `aws s3 sync s3://bucket/prefix <folder>` leaves it.
     */
    location: z.string().min(1, { error: 'location must name s3://bucket[/prefix] or a local folder' }),
    /** Only these accounts (12 digits); default: every account folder found. */
    accounts: z.array(z.string().regex(/^\d{12}$/, { error: 'an AWS account id is 12 digits' })).min(1).optional(),
    /** Only these regions; default: every region folder found. */
    regions: z.array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'a region looks like us-east-1' })).min(1).optional(),
    /** Organization trail: the `o-…` folder under AWSLogs/; default: every one found. */
    organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, { error: 'an organization id looks like o-a1b2c3d4e5' }).optional(),
    /** S3-compatible server instead of AWS (e.g. http://127.0.0.1:9000). */
    endpoint: z.url({ error: 'endpoint must be an absolute URL such as http://127.0.0.1:9000' }).optional(),
    forcePathStyle: z.boolean().optional(),
    /** Region of the bucket (default: AWS_REGION, else us-east-1). */
    s3Region: z.string().min(1).optional(),
    /** Named profile of the AWS shared config files (default: the standard chain, AWS_PROFILE included). */
    profile: z.string().min(1).optional(),
    /** How long after a window's end files may still hold its records (key dates are delivery dates). */
    lateDeliveryMinutes: z.number().int().min(0).max(7 * 24 * 60).default(1440),
    /** Validate the hourly digest chain (signatures, hashes, gaps) after all windows. */
    verifyDigests: z.boolean().default(false),
    /** Public keys for offline digest validation: `aws cloudtrail list-public-keys` JSON output, or PEM. */
    publicKeysFile: z.string().min(1).optional(),
    /** CloudTrail endpoint for ListPublicKeys (an emulator or a VPC endpoint). */
    cloudtrailEndpoint: z.url({ error: 'cloudtrailEndpoint must be an absolute URL' }).optional(),
    /**
     * Largest uncompressed log file read (MiB). CloudTrail writes a file every few minutes, a few
     * MiB at most; past the cap the file is not read and its window fails (a gzip bomb, a stray upload).
     */
    maxLogFileMiB: z.number().int().min(1).max(4096).default(256),
    /** Window length; whole days are cut at local midnights. */
    windowHours: z.number().int().min(1).max(24 * 31).default(24),
    /** Files read at the same time (at least two per worker thread); digest validation reads twice as many. */
    concurrency: z.number().int().min(1).max(16).default(4),
    /** ListObjectsV2 MaxKeys (1..1000); smaller only to exercise pagination. */
    listPageSize: z.number().int().min(1).max(1000).default(1000),
  })
  .strict();

export type CloudtrailFilesConfigInput = z.input<typeof cloudtrailFilesConfigSchema>;
export type CloudtrailFilesConfig = z.output<typeof cloudtrailFilesConfigSchema>;
