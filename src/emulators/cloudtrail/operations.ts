import type { Random } from '../kit/random.js';

/** What one emulated call puts into its record beyond identity and time. */
export interface OperationDetails {
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  /** The record's `resources[]` (ARN, accountId, type), as CloudTrail writes it. */
  resources: { ARN: string; type: string }[];
  /** Extra names LookupEvents lists under `Resources[]` (e.g. an IAM user name). */
  lookupNames?: { ResourceType: string; ResourceName: string }[];
  additionalEventData?: Record<string, unknown>;
}

export interface FailureMode {
  /** Share of calls that fail. */
  rate: number;
  /** Absent for console sign-in failures: they carry only errorMessage (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html). */
  errorCode?: string;
  errorMessage: string;
}

export interface EmulatedOperation {
  eventSource: string;
  eventName: string;
  readOnly: boolean;
  weight: number;
  /** Regions where the call is recorded; undefined: every region. */
  regions?: readonly string[];
  eventType: 'AwsApiCall' | 'AwsConsoleSignIn';
  /** Principals allowed to make the call (identity keys); undefined: any human principal. */
  callers?: readonly string[];
  failure?: FailureMode;
  details(ctx: { account: string; region: string; random: Random; failed: boolean }): OperationDetails;
}

/** Alexa for Business is recorded in US East (N. Virginia) only (https://docs.aws.amazon.com/a4b/latest/ag/cloudtrail.html). */
const A4B_REGIONS = ['us-east-1'] as const;
/** IAM and console sign-in are global services recorded in us-east-1. */
const GLOBAL_REGIONS = ['us-east-1'] as const;

const a4bDenied: FailureMode = { rate: 0.08, errorCode: 'AccessDeniedException', errorMessage: 'User is not authorized to perform this action' };
const lexDenied: FailureMode = {
  rate: 0.08,
  errorCode: 'AccessDeniedException',
  errorMessage: 'User is not authorized to perform: lex:PutBot on resource',
};
const iamDenied: FailureMode = { rate: 0.1, errorCode: 'AccessDenied', errorMessage: 'User is not authorized to perform this operation' };

function a4b(eventName: string, readOnly: boolean, weight: number, resourceKind: 'room' | 'profile' | 'skill-group' | null): EmulatedOperation {
  return {
    eventSource: 'a4b.amazonaws.com',
    eventName,
    readOnly,
    weight,
    regions: A4B_REGIONS,
    eventType: 'AwsApiCall',
    failure: a4bDenied,
    details: ({ account, region, random, failed }) => {
      if (!resourceKind) return { requestParameters: readOnly ? { maxResults: 10 } : null, responseElements: null, resources: [] };
      const arn = `arn:aws:a4b:${region}:${account}:${resourceKind}/${random.hex(32)}/${random.hex(32)}`;
      const key = resourceKind === 'room' ? 'roomArn' : resourceKind === 'profile' ? 'profileArn' : 'skillGroupArn';
      const type = resourceKind === 'room' ? 'AWS::A4B::Room' : resourceKind === 'profile' ? 'AWS::A4B::Profile' : 'AWS::A4B::SkillGroup';
      const creates = eventName.startsWith('Create');
      return {
        requestParameters: creates ? { [key.replace('Arn', 'Name')]: `${resourceKind}-${random.int(1, 40)}` } : { [key]: arn },
        responseElements: creates && !failed ? { [key]: arn } : null,
        resources: failed ? [] : [{ ARN: arn, type }],
      };
    },
  };
}

function lex(eventName: string, readOnly: boolean, weight: number): EmulatedOperation {
  return {
    eventSource: 'lex.amazonaws.com',
    eventName,
    readOnly,
    weight,
    eventType: 'AwsApiCall',
    failure: lexDenied,
    details: ({ account, region, random, failed }) => {
      const name = random.pick(['OrderFlowers', 'BookTrip', 'HelpDesk', 'CloudTrailBot']);
      const arn = `arn:aws:lex:${region}:${account}:bot:${name}`;
      if (eventName === 'GetBots') return { requestParameters: { maxResults: 10 }, responseElements: null, resources: [] };
      return {
        requestParameters: { name, ...(eventName === 'PutBot' ? { locale: 'en-US', childDirected: false, processBehavior: 'BUILD' } : {}) },
        responseElements: eventName === 'PutBot' && !failed ? { name, status: 'BUILDING', version: '$LATEST', locale: 'en-US' } : null,
        resources: failed ? [] : [{ ARN: arn, type: 'AWS::Lex::Bot' }],
      };
    },
  };
}

function iamUserCall(eventName: string, readOnly: boolean, weight: number): EmulatedOperation {
  return {
    eventSource: 'iam.amazonaws.com',
    eventName,
    readOnly,
    weight,
    regions: GLOBAL_REGIONS,
    eventType: 'AwsApiCall',
    failure: iamDenied,
    details: ({ account, random, failed }) => {
      if (eventName === 'ListUsers') return { requestParameters: null, responseElements: null, resources: [] };
      const userName = random.pick(['dave', 'erin', 'frank', 'svc-backup']);
      const arn = `arn:aws:iam::${account}:user/${userName}`;
      const requestParameters: Record<string, unknown> = { userName };
      if (eventName === 'AttachUserPolicy') requestParameters.policyArn = 'arn:aws:iam::aws:policy/AdministratorAccess';
      const responseElements =
        failed || eventName !== 'CreateAccessKey'
          ? null
          : { accessKey: { userName, accessKeyId: `AKIA${random.hex(16).toUpperCase()}`, status: 'Active', createDate: 'Jan 1, 2026 12:00:00 AM' } };
      return {
        requestParameters,
        responseElements,
        resources: [],
        lookupNames: [{ ResourceType: 'AWS::IAM::User', ResourceName: userName }, ...(failed ? [] : [{ ResourceType: 'AWS::IAM::User', ResourceName: arn }])],
      };
    },
  };
}

export const OPERATIONS: readonly EmulatedOperation[] = [
  a4b('CreateRoom', false, 3, 'room'),
  a4b('UpdateRoom', false, 2, 'room'),
  a4b('DeleteRoom', false, 1, 'room'),
  a4b('AssociateSkillGroupWithRoom', false, 2, 'skill-group'),
  a4b('CreateProfile', false, 1, 'profile'),
  a4b('SearchRooms', true, 3, null),
  a4b('GetRoom', true, 2, 'room'),
  lex('PutBot', false, 3),
  lex('GetBot', true, 3),
  lex('DeleteBot', false, 1),
  lex('PutIntent', false, 2),
  lex('GetBots', true, 2),
  lex('CreateBotVersion', false, 1),
  iamUserCall('CreateUser', false, 2),
  iamUserCall('AttachUserPolicy', false, 2),
  iamUserCall('CreateAccessKey', false, 2),
  iamUserCall('DeleteUser', false, 1),
  iamUserCall('ListUsers', true, 3),
  {
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    readOnly: true,
    weight: 5,
    eventType: 'AwsApiCall',
    failure: { rate: 0.05, errorCode: 'AccessDenied', errorMessage: 'User is not authorized to perform: sts:AssumeRole' },
    details: ({ account, random, failed }) => {
      const roleArn = `arn:aws:iam::${account}:role/${random.pick(['ci-deploy', 'ReadOnlyAudit', 'LexBotRuntime'])}`;
      return {
        requestParameters: { roleArn, roleSessionName: `session-${random.int(1000, 9999)}`, durationSeconds: 3600 },
        responseElements: failed
          ? null
          : { credentials: { accessKeyId: `ASIA${random.hex(16).toUpperCase()}`, expiration: 'Jan 1, 2026, 1:00:00 AM', sessionToken: 'IQoJb3JpZ2luX2VjE[...]' } },
        resources: failed ? [] : [{ ARN: roleArn, type: 'AWS::IAM::Role' }],
      };
    },
  },
  {
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetCallerIdentity',
    readOnly: true,
    weight: 4,
    eventType: 'AwsApiCall',
    details: () => ({ requestParameters: null, responseElements: null, resources: [] }),
  },
  {
    eventSource: 's3.amazonaws.com',
    eventName: 'CreateBucket',
    readOnly: false,
    weight: 1,
    eventType: 'AwsApiCall',
    failure: { rate: 0.1, errorCode: 'AccessDenied', errorMessage: 'Access Denied' },
    details: ({ account, region, random }) => {
      const bucket = `audit-${region}-${random.hex(6)}`;
      return {
        requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com` },
        responseElements: null,
        resources: [{ ARN: `arn:aws:s3:::${bucket}`, type: 'AWS::S3::Bucket' }],
        lookupNames: [{ ResourceType: 'AWS::S3::Bucket', ResourceName: bucket }],
        additionalEventData: { SignatureVersion: 'SigV4', bytesTransferredIn: 0, bytesTransferredOut: 0, accountId: account },
      };
    },
  },
  {
    eventSource: 's3.amazonaws.com',
    eventName: 'PutBucketPolicy',
    readOnly: false,
    weight: 1,
    eventType: 'AwsApiCall',
    failure: { rate: 0.15, errorCode: 'AccessDenied', errorMessage: 'Access Denied' },
    details: ({ region, random }) => {
      const bucket = `audit-${region}-${random.hex(6)}`;
      return {
        requestParameters: { bucketName: bucket, policy: '' },
        responseElements: null,
        resources: [{ ARN: `arn:aws:s3:::${bucket}`, type: 'AWS::S3::Bucket' }],
        lookupNames: [{ ResourceType: 'AWS::S3::Bucket', ResourceName: bucket }],
      };
    },
  },
  {
    eventSource: 's3.amazonaws.com',
    eventName: 'ListBuckets',
    readOnly: true,
    weight: 2,
    eventType: 'AwsApiCall',
    details: () => ({ requestParameters: { Host: 's3.amazonaws.com' }, responseElements: null, resources: [] }),
  },
  {
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    readOnly: false,
    weight: 1,
    eventType: 'AwsApiCall',
    failure: { rate: 0.3, errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized to perform this operation.' },
    details: ({ random }) => ({
      requestParameters: { instanceType: random.pick(['t3.micro', 'm5.large']), instancesSet: { items: [{ imageId: `ami-${random.hex(17)}`, minCount: 1, maxCount: 1 }] } },
      responseElements: null,
      resources: [],
    }),
  },
  {
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    readOnly: true,
    weight: 3,
    eventType: 'AwsApiCall',
    details: () => ({ requestParameters: { instancesSet: {}, filterSet: {} }, responseElements: null, resources: [] }),
  },
  {
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    readOnly: false,
    weight: 3,
    regions: GLOBAL_REGIONS,
    eventType: 'AwsConsoleSignIn',
    callers: ['alice', 'bob', 'root'],
    failure: { rate: 0.15, errorMessage: 'Failed authentication' },
    details: ({ random, failed }) => ({
      requestParameters: null,
      responseElements: { ConsoleLogin: failed ? 'Failure' : 'Success' },
      resources: [],
      additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: random.next() < 0.5 ? 'Yes' : 'No' },
    }),
  },
];
