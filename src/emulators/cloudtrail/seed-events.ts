import { seededRandom, type Random } from '../kit/random.js';
import { accountIdentities, serviceIdentity, type EmulatedIdentity } from './identities.js';
import { OPERATIONS, type EmulatedOperation } from './operations.js';

const DAY = 86_400_000;

/** One stored event: the full CloudTrail record plus the fields LookupEvents filters on. */
export interface SeededEvent {
  id: string;
  /** Epoch ms (whole seconds: CloudTrail eventTime has second resolution). */
  time: number;
  account: string;
  region: string;
  eventSource: string;
  eventName: string;
  readOnly: boolean;
  username?: string;
  accessKeyId?: string;
  failed: boolean;
  /** LookupEvents `Resources[]`. */
  resources: { ResourceType: string; ResourceName: string }[];
  /** The full record, as CloudTrail stores it and returns it in `CloudTrailEvent`. */
  record: Record<string, unknown>;
}

export interface SeedOptions {
  seed: number | string;
  accounts: readonly string[];
  regions: readonly string[];
  /** Events span [end - days, end). */
  end: number;
  days: number;
  /** Average events per day per region (a number for all, or per region; regions not named get 10). */
  eventsPerDay: number | Readonly<Record<string, number>>;
}

/**
 * A deterministic data set: every day, in every region, a spread of management events from the
 * operations catalog (a4b only in us-east-1, IAM and sign-in as global services in us-east-1),
 * failures at each operation's rate, plus one event at exactly 00:00:00 UTC (so inclusive end
 * bounds are exercised), one Lex service-linked AssumeRole by an AWS service principal, and
 * every third day a failed console sign-in where sign-in is recorded.
 */
export function seedCloudTrailEvents(opts: SeedOptions): SeededEvent[] {
  const out: SeededEvent[] = [];
  const start = opts.end - opts.days * DAY;
  for (const account of opts.accounts) {
    const identities = accountIdentities(account);
    for (const region of opts.regions) {
      const random = seededRandom(`${opts.seed}:${account}:${region}`);
      const perDay = typeof opts.eventsPerDay === 'number' ? opts.eventsPerDay : (opts.eventsPerDay[region] ?? 10);
      const ops = OPERATIONS.filter((o) => !o.regions || o.regions.includes(region));
      for (let day = start; day < opts.end; day += DAY) {
        const dayEnd = Math.min(day + DAY, opts.end);
        const n = Math.max(0, Math.round(perDay * (0.7 + random.next() * 0.6)));
        const seconds = Math.max(1, Math.floor((dayEnd - day) / 1000));
        for (let i = 0; i < n; i++) {
          const op = random.weighted(ops.map((o) => [o, o.weight] as const));
          const caller = pickCaller(random, identities, op);
          out.push(makeEvent(random, { account, region, op, caller, time: day + random.int(0, seconds) * 1000 }));
        }
        const whoami = ops.find((o) => o.eventName === 'GetCallerIdentity');
        if (whoami) out.push(makeEvent(random, { account, region, op: whoami, caller: identities[2], time: day }));
        // Every third day a failed console sign-in, so even a short data set has one.
        const login = ops.find((o) => o.eventName === 'ConsoleLogin');
        if (login && Math.round((day - start) / DAY) % 3 === 0) {
          out.push(makeEvent(random, { account, region, op: login, caller: identities[1], time: day + random.int(0, seconds) * 1000, failure: 'always' }));
        }
        const assume = ops.find((o) => o.eventName === 'AssumeRole');
        if (assume && n > 0) {
          out.push(makeEvent(random, { account, region, op: assume, caller: serviceIdentity('lex.amazonaws.com'), time: day + random.int(0, seconds) * 1000, failure: 'never' }));
        }
      }
    }
  }
  return sortNewestFirst(out);
}

/** LookupEvents order: newest first; ties broken by id so pages are stable. */
function sortNewestFirst(events: SeededEvent[]): SeededEvent[] {
  return events.sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

function pickCaller(random: Random, identities: EmulatedIdentity[], op: EmulatedOperation): EmulatedIdentity {
  const allowed = op.callers ? identities.filter((i) => op.callers?.includes(i.key)) : identities;
  return random.weighted(allowed.map((i) => [i, i.weight] as const));
}

function uuid(random: Random): string {
  const h = random.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[random.int(0, 4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function makeEvent(
  random: Random,
  e: { account: string; region: string; op: EmulatedOperation; caller: EmulatedIdentity; time: number; failure?: 'always' | 'never' },
): SeededEvent {
  const { account, region, op, caller, time } = e;
  const failed = op.failure !== undefined && e.failure !== 'never' && (e.failure === 'always' || random.next() < op.failure.rate);
  const details = op.details({ account, region, random, failed });
  const userIdentity = caller.userIdentity(random);
  // Console sign-in records carry no access key (real examples: absent or "").
  if (op.eventType === 'AwsConsoleSignIn') delete userIdentity.accessKeyId;
  const isService = userIdentity.type === 'AWSService';
  const id = uuid(random);
  const record: Record<string, unknown> = {
    eventVersion: '1.08',
    userIdentity,
    eventTime: isoSeconds(time),
    eventSource: op.eventSource,
    eventName: op.eventName,
    awsRegion: region,
    sourceIPAddress: isService ? String(userIdentity.invokedBy) : `203.0.113.${random.int(1, 255)}`,
    userAgent: isService
      ? String(userIdentity.invokedBy)
      : random.pick(['aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64', 'console.amazonaws.com', 'Boto3/1.34.0 Python/3.11.8', 'aws-sdk-js/3.600.0']),
  };
  if (failed && op.failure?.errorCode) record.errorCode = op.failure.errorCode;
  if (failed && op.failure) record.errorMessage = op.failure.errorMessage;
  record.requestParameters = details.requestParameters;
  record.responseElements = details.responseElements;
  if (details.additionalEventData) record.additionalEventData = details.additionalEventData;
  if (op.eventType === 'AwsApiCall') record.requestID = uuid(random);
  record.eventID = id;
  record.readOnly = op.readOnly;
  if (details.resources.length > 0) record.resources = details.resources.map((r) => ({ accountId: account, ...r }));
  record.eventType = op.eventType;
  record.managementEvent = true;
  record.recipientAccountId = account;
  record.eventCategory = 'Management';
  if (op.eventType === 'AwsApiCall' && !isService) {
    record.tlsDetails = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${op.eventSource.split('.')[0]}.${region}.amazonaws.com` };
  }
  const accessKeyId = typeof userIdentity.accessKeyId === 'string' && userIdentity.accessKeyId !== '' ? userIdentity.accessKeyId : undefined;
  return {
    id,
    time,
    account,
    region,
    eventSource: op.eventSource,
    eventName: op.eventName,
    readOnly: op.readOnly,
    username: caller.username,
    accessKeyId,
    failed,
    resources: [
      ...details.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.ARN })),
      ...(details.lookupNames ?? []),
    ],
    record,
  };
}
