import { startEmulator, type EmuRequest, type EmuResponse, type RunningEmulator } from '../kit/server.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { AMZ_JSON, awsJson, CLOUDTRAIL_NAMESPACE, commonError, TARGET_PREFIX } from './aws-json.js';
import { lookupEvents, matchesLookup, type LookupAttribute } from './lookup-events.js';
import { createRequestThrottle, type RequestThrottle, type ThrottleSettings } from './request-throttle.js';
import { seedCloudTrailEvents, type SeededEvent } from './seed-events.js';
import { headerValue, readCredentialScope } from './sigv4-scope.js';

export type { SeededEvent } from './seed-events.js';
export type { LookupAttribute } from './lookup-events.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface EmulatorCredential {
  accessKeyId: string;
  /** Issued for clients to sign with; the emulator accepts any signature. */
  secretAccessKey: string;
  accountId: string;
}

/** A CloudTrail digest-signing public key served by ListPublicKeys (for the log-file source). */
export interface EmulatedPublicKey {
  /** DER-encoded public key (PKCS#1 RSAPublicKey, as ListPublicKeys returns it). */
  value: Buffer;
  validityStart: number;
  validityEnd: number;
  fingerprint: string;
}

export interface CloudTrailEmulatorOptions {
  port?: number;
  host?: string;
  seed?: number | string;
  /** "Now" for the 90-day retention and the default data span; the rate limit runs on real time. */
  clock?: Clock;
  /** Data spans [end - days, end), `end` cut to a whole second; default: the start of the current UTC hour. */
  end?: number;
  days?: number;
  regions?: string[];
  eventsPerDay?: number | Record<string, number>;
  /** Access keys the emulator knows (key → account); the first is the one `demo` hands out. */
  credentials?: EmulatorCredential[];
  /** Per account and region; default 2 requests/s (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html), burst 2. false: off. */
  rateLimit?: ThrottleSettings | false;
  publicKeys?: EmulatedPublicKey[];
}

export interface CloudTrailTruth {
  /** Every stored event, all accounts and regions, newest first. */
  events: readonly SeededEvent[];
  start: number;
  end: number;
  /** The events a complete pull of [start, end) finds (half-open), newest first. */
  select(q: { account?: string; regions?: readonly string[]; start: number; end: number; lookup?: LookupAttribute }): SeededEvent[];
}

export interface CloudTrailEmulatorCounters {
  /** LookupEvents requests that reached the handler (throttled ones included). */
  lookupRequests: number;
  /** Requests answered with ThrottlingException. */
  throttled: number;
  /** Error answers by `__type` (without namespace). */
  errors: Record<string, number>;
}

export interface CloudTrailEmulator extends RunningEmulator {
  credentials: EmulatorCredential[];
  regions: string[];
  rateLimit: ThrottleSettings | null;
  truth: CloudTrailTruth;
  /** Every NextToken issued so far becomes invalid (InvalidNextTokenException). */
  expireTokens(): void;
  setRateLimit(settings: ThrottleSettings | false): void;
  counters(): CloudTrailEmulatorCounters;
}

const DEFAULT_CREDENTIAL: EmulatorCredential = {
  accessKeyId: 'AKIAEMULATOR00000001',
  secretAccessKey: 'emulator-secret-not-a-real-key-0000000001',
  accountId: '123456789012',
};

const DEFAULT_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];

/**
 * A local CloudTrail endpoint speaking AWS JSON 1.1 (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html): LookupEvents with its
 * validation, pagination and per-account-and-region throttling, and ListPublicKeys. Answers the
 * AWS SDK and the AWS CLI (`--endpoint-url`).
 */
export async function startCloudTrailEmulator(options: CloudTrailEmulatorOptions = {}): Promise<CloudTrailEmulator> {
  const clock = options.clock ?? systemClock;
  // Whole seconds: CloudTrail's eventTime has second resolution, and `EventTime` must equal it
  // (a caller's `end` such as "now" carries milliseconds, which would leak into every event time).
  const end = Math.floor((options.end ?? Math.floor(clock.now() / HOUR) * HOUR) / 1000) * 1000;
  const days = options.days ?? 30;
  const regions = options.regions ?? DEFAULT_REGIONS;
  const credentials = options.credentials ?? [DEFAULT_CREDENTIAL];
  const accounts = [...new Set(credentials.map((c) => c.accountId))];
  const events = seedCloudTrailEvents({
    seed: options.seed ?? 'cloudtrail',
    accounts,
    regions,
    end,
    days,
    eventsPerDay: options.eventsPerDay ?? { 'us-east-1': 30, 'us-west-2': 12, 'eu-west-1': 10 },
  });
  const byScope = new Map<string, SeededEvent[]>();
  for (const e of events) {
    const k = `${e.account}/${e.region}`;
    const list = byScope.get(k) ?? [];
    list.push(e);
    byScope.set(k, list);
  }
  const keyToAccount = new Map(credentials.map((c) => [c.accessKeyId, c.accountId]));
  let rateLimit: ThrottleSettings | null = options.rateLimit === false ? null : (options.rateLimit ?? { requestsPerSecond: 2, burst: 2 });
  let throttle: RequestThrottle | null = rateLimit ? createRequestThrottle(rateLimit) : null;
  let tokenGeneration = 1;
  const publicKeys = [...(options.publicKeys ?? [])];
  const counters: CloudTrailEmulatorCounters = { lookupRequests: 0, throttled: 0, errors: {} };

  const countErrors = (r: EmuResponse): EmuResponse => {
    if (r.status >= 400) {
      const type = (JSON.parse(String(r.body)) as { __type?: string }).__type ?? 'Unknown';
      const name = type.split('#').pop() ?? type;
      counters.errors[name] = (counters.errors[name] ?? 0) + 1;
    }
    return r;
  };

  const handler = (req: EmuRequest): EmuResponse => {
    if (req.method !== 'POST' || req.path !== '/') {
      return countErrors(commonError('UnknownOperationException', `${req.method} ${req.path} is not a CloudTrail operation; POST / with X-Amz-Target.`, 404));
    }
    const target = headerValue(req.headers, 'x-amz-target') ?? '';
    // botocore (the AWS CLI) sends the model's full target prefix; aws-sdk-js v3's
    // schema serde sends only "CloudTrail_20131101.<Operation>". The service takes both.
    const bare = target.startsWith(`${CLOUDTRAIL_NAMESPACE}.`) ? target.slice(CLOUDTRAIL_NAMESPACE.length + 1) : target;
    const op = bare.startsWith(TARGET_PREFIX) ? bare.slice(TARGET_PREFIX.length) : '';
    const scope = readCredentialScope(req.headers, 'cloudtrail');
    if ('status' in scope) return countErrors(scope);
    const account = keyToAccount.get(scope.accessKeyId);
    if (!account) return countErrors(commonError('UnrecognizedClientException', 'The security token included in the request is invalid.'));
    if (op !== 'LookupEvents' && op !== 'ListPublicKeys') {
      return countErrors(commonError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`));
    }
    const contentType = headerValue(req.headers, 'content-type') ?? '';
    if (!contentType.startsWith(AMZ_JSON)) {
      return countErrors(commonError('UnknownOperationException', `Content-Type must be ${AMZ_JSON}`));
    }
    if (op === 'ListPublicKeys') return countErrors(listPublicKeys(req.body, publicKeys, clock.now()));
    counters.lookupRequests++;
    if (throttle && !throttle.tryTake(`${account}/${scope.region}`)) {
      counters.throttled++;
      return countErrors(commonError('ThrottlingException', 'Rate exceeded'));
    }
    return countErrors(
      lookupEvents(req.body, {
        account,
        region: scope.region,
        now: clock.now(),
        tokenGeneration,
        events: byScope.get(`${account}/${scope.region}`) ?? [],
      }),
    );
  };

  const server = await startEmulator(handler, { port: options.port, host: options.host });
  const truth: CloudTrailTruth = {
    events,
    start: end - days * DAY,
    end,
    select: (q) =>
      events.filter(
        (e) =>
          (q.account === undefined || e.account === q.account) &&
          (q.regions === undefined || q.regions.includes(e.region)) &&
          e.time >= q.start &&
          e.time < q.end &&
          matchesLookup(e, q.lookup),
      ),
  };
  return {
    ...server,
    credentials,
    regions,
    get rateLimit() {
      return rateLimit;
    },
    truth,
    expireTokens: () => {
      tokenGeneration++;
    },
    setRateLimit: (settings) => {
      rateLimit = settings === false ? null : settings;
      throttle = rateLimit ? createRequestThrottle(rateLimit) : null;
    },
    counters: () => ({ ...counters, errors: { ...counters.errors } }),
  };
}

/** ListPublicKeys: keys whose validity overlaps [StartTime, EndTime] (default: valid now). */
function listPublicKeys(body: string, keys: readonly EmulatedPublicKey[], now: number): EmuResponse {
  let req: { StartTime?: unknown; EndTime?: unknown };
  try {
    req = (body.trim() ? JSON.parse(body) : {}) as typeof req;
  } catch {
    return commonError('SerializationException', 'Start of structure or map found where not expected.');
  }
  const start = typeof req.StartTime === 'number' ? req.StartTime * 1000 : now;
  const end = typeof req.EndTime === 'number' ? req.EndTime * 1000 : now;
  const list = keys
    .filter((k) => k.validityStart <= end && k.validityEnd >= start)
    .map((k) => ({ Value: k.value.toString('base64'), ValidityStartTime: k.validityStart / 1000, ValidityEndTime: k.validityEnd / 1000, Fingerprint: k.fingerprint }));
  return awsJson(200, { PublicKeyList: list });
}

/**
 * What `auditpack demo` needs: a `cloudtrail` source entry pointing at the emulator (us-east-1,
 * the Alexa for Business and Lex event sources) and dummy AWS credentials in the environment.
 */
export function demoCloudTrailSetup(emulator: CloudTrailEmulator): { sourceConfig: Record<string, unknown>; env: Record<string, string> } {
  const cred = emulator.credentials[0];
  return {
    sourceConfig: {
      type: 'cloudtrail',
      name: 'cloudtrail',
      regions: ['us-east-1'],
      lookup: { EventSource: ['a4b.amazonaws.com', 'lex.amazonaws.com'] },
      endpoint: emulator.url,
      // Week-long windows: at 2 requests/s, a month of daily windows × 2 lookup values would keep a demo waiting 30 s.
      windowHours: 168,
      // Match the emulator's limit; with its limit off, the demo need not wait 500 ms per request.
      requestsPerSecond: emulator.rateLimit ? emulator.rateLimit.requestsPerSecond : 20,
    },
    env: {
      AWS_ACCESS_KEY_ID: cred.accessKeyId,
      AWS_SECRET_ACCESS_KEY: cred.secretAccessKey,
      AWS_REGION: 'us-east-1',
    },
  };
}
