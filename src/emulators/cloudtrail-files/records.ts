import type { Random } from '../kit/random.js';

/** Operations the generator draws from, by event source (a4b: https://docs.aws.amazon.com/a4b/latest/ag/cloudtrail.html; Lex: https://docs.aws.amazon.com/lex/latest/dg/monitoring-aws-lex-cloudtrail.html). */
interface Operation {
  eventName: string;
  readOnly: boolean;
  /** requestParameters for the call; the resource it names. */
  params?: (r: Random, account: string, region: string) => { requestParameters: Record<string, unknown>; resources?: { ARN: string; type: string }[] };
}

const OPERATIONS: Record<string, Operation[]> = {
  'a4b.amazonaws.com': [
    { eventName: 'CreateRoom', readOnly: false, params: (r, a, g) => roomCall(r, a, g, true) },
    { eventName: 'DeleteRoom', readOnly: false, params: (r, a, g) => roomCall(r, a, g, false) },
    { eventName: 'AssociateSkillGroupWithRoom', readOnly: false, params: (r, a, g) => roomCall(r, a, g, false) },
    { eventName: 'GetRoom', readOnly: true, params: (r, a, g) => roomCall(r, a, g, false) },
    { eventName: 'SearchRooms', readOnly: true },
  ],
  'lex.amazonaws.com': [
    { eventName: 'PutBot', readOnly: false, params: (r) => ({ requestParameters: { name: r.pick(['OrderFlowers', 'BookTrip', 'HelpDesk']), locale: 'en-US', childDirected: false } }) },
    { eventName: 'GetBot', readOnly: true, params: (r) => ({ requestParameters: { name: r.pick(['OrderFlowers', 'BookTrip', 'HelpDesk']), versionOrAlias: '$LATEST' } }) },
    { eventName: 'DeleteBot', readOnly: false, params: (r) => ({ requestParameters: { name: r.pick(['OrderFlowers', 'BookTrip', 'HelpDesk']) } }) },
    { eventName: 'PutIntent', readOnly: false, params: (r) => ({ requestParameters: { name: r.pick(['OrderFlowersIntent', 'BookHotel']) } }) },
    { eventName: 'GetBots', readOnly: true },
  ],
  's3.amazonaws.com': [
    { eventName: 'GetBucketPolicy', readOnly: true, params: (r) => ({ requestParameters: { bucketName: r.pick(['audit-archive', 'web-assets']) } }) },
    { eventName: 'PutBucketPolicy', readOnly: false, params: (r) => ({ requestParameters: { bucketName: r.pick(['audit-archive', 'web-assets']) } }) },
  ],
  'iam.amazonaws.com': [
    { eventName: 'CreateUser', readOnly: false, params: (r) => ({ requestParameters: { userName: r.pick(['dave', 'erin']) } }) },
    { eventName: 'ListUsers', readOnly: true },
  ],
  'signin.amazonaws.com': [{ eventName: 'ConsoleLogin', readOnly: false }],
};

export const GENERATOR_EVENT_SOURCES = Object.keys(OPERATIONS);

function roomCall(r: Random, account: string, region: string, created: boolean) {
  const room = `arn:aws:a4b:${region}:${account}:room/${r.hex(32)}/${r.hex(32)}`;
  return {
    requestParameters: created ? { roomName: r.pick(['Lobby', 'Board room', 'Kitchen']) } : { roomArn: room },
    resources: [{ ARN: room, type: 'AWS::A4B::Room' }],
  };
}

export interface GeneratedRecord {
  record: Record<string, unknown>;
  eventSource: string;
  eventName: string;
  failed: boolean;
}

/** One CloudTrail record shaped as the real ones (userIdentity kinds, sign-in failures, errors). */
export function makeRecord(r: Random, o: { account: string; region: string; time: number; eventSource: string }): GeneratedRecord {
  const op = r.pick(OPERATIONS[o.eventSource] ?? OPERATIONS['a4b.amazonaws.com']);
  const who = r.weighted([
    ['alice', 5],
    ['bob', 3],
    ['role', 5],
    ['root', 1],
  ] as const);
  const userIdentity = identity(r, o.account, who);
  const record: Record<string, unknown> = {
    eventVersion: '1.08',
    userIdentity,
    eventTime: new Date(Math.floor(o.time / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    eventSource: o.eventSource,
    eventName: op.eventName,
    awsRegion: o.region,
    sourceIPAddress: `198.51.100.${r.int(1, 255)}`,
    userAgent: r.pick(['aws-cli/2.17.60 Python/3.11.9 Linux/6.1', 'console.amazonaws.com', 'Boto3/1.34.0 Python/3.12.2']),
    requestParameters: null,
    responseElements: null,
    requestID: uuid(r),
    eventID: uuid(r),
    readOnly: op.readOnly,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: o.account,
    eventCategory: 'Management',
  };
  let failed = false;
  if (op.eventName === 'ConsoleLogin') {
    failed = r.next() < 0.25;
    record.eventType = 'AwsConsoleSignIn';
    record.responseElements = { ConsoleLogin: failed ? 'Failure' : 'Success' };
    record.additionalEventData = { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: r.next() < 0.7 ? 'Yes' : 'No' };
    if (failed) record.errorMessage = 'Failed authentication';
  } else {
    const p = op.params?.(r, o.account, o.region);
    if (p) {
      record.requestParameters = p.requestParameters;
      if (p.resources) record.resources = p.resources.map((x) => ({ ...x, accountId: o.account }));
    }
    if (r.next() < 0.08) {
      failed = true;
      record.errorCode = 'AccessDenied';
      record.errorMessage = `User is not authorized to perform: ${o.eventSource.split('.')[0]}:${op.eventName}`;
    }
  }
  return { record, eventSource: o.eventSource, eventName: op.eventName, failed };
}

function identity(r: Random, account: string, who: 'alice' | 'bob' | 'role' | 'root'): Record<string, unknown> {
  if (who === 'root') return { type: 'Root', principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account, accessKeyId: '' };
  if (who === 'role') {
    return {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEADMIN00001:carol@example.com',
      arn: `arn:aws:sts::${account}:assumed-role/Admin/carol@example.com`,
      accountId: account,
      accessKeyId: `ASIA${r.hex(16).toUpperCase()}`,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEADMIN00001', arn: `arn:aws:iam::${account}:role/Admin`, accountId: account, userName: 'Admin' },
        attributes: { creationDate: '2026-01-01T00:00:00Z', mfaAuthenticated: 'true' },
      },
    };
  }
  return {
    type: 'IAMUser',
    principalId: `AIDAEXAMPLE${who.toUpperCase()}`,
    arn: `arn:aws:iam::${account}:user/${who}`,
    accountId: account,
    accessKeyId: `AKIA${r.hex(16).toUpperCase()}`,
    userName: who,
  };
}

function uuid(r: Random): string {
  const h = r.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
