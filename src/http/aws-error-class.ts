import { isStackOverflow, nestedTooDeep } from '../errors.js';
import { classifyTransportError, errorCodeOf, type AttemptFailure, type Target } from './classify.js';
import { parseRetryAfter } from './retry.js';

/**
 * AWS error names meaning "slow down": the AWS SDK's throttling list
 * (https://github.com/smithy-lang/smithy-typescript/blob/main/packages/service-error-classification/src/constants.ts).
 * LookupEvents sends ThrottlingException with HTTP 400; Athena sends TooManyRequestsException.
 */
export const AWS_THROTTLE_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

/** Errors of the credentials, not of the request: retrying cannot help. */
export const AWS_AUTH_NAMES: ReadonlySet<string> = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'RequestExpired',
  'AccessDeniedException',
  'AccessDenied',
  'NotAuthorized',
  'CredentialsProviderError',
]);

/** Server-side names the SDKs retry as transient whatever the status says. */
const AWS_TRANSIENT_NAMES: ReadonlySet<string> = new Set(['InternalServerException', 'InternalFailure', 'InternalError', 'ServiceUnavailable', 'ServiceUnavailableException']);

interface SdkErrorShape {
  name?: string;
  message?: string;
  Message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/** What one AWS API says in its own words: the hints a user needs for it. */
export interface AwsApiWords {
  /** "LookupEvents", "Athena": who refused a request. */
  service: string;
  /** How to slow down (the API's documented rate). */
  throttleHint(e: unknown): string;
  /** Which permissions the principal needs. */
  authHint: string;
}

/**
 * An AWS SDK error (the SDK run with its own retries off) as the retry strategy's AttemptFailure,
 * in the same classes the HTTP client uses: throttling (by name or 429, honouring Retry-After) and
 * 5xx or a transient server name are retried; credentials errors stop the run; any other 4xx is
 * final (the request is wrong); transport errors are classified as the HTTP client's; a 2xx whose
 * body did not parse (a truncated response) is retried.
 */
export function classifyAwsSdkError(e: unknown, target: Target, now: number, words: AwsApiWords): AttemptFailure {
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkErrorShape;
  const label = target.what;
  const name = err.name ?? 'Error';
  const status = err.$metadata?.httpStatusCode;
  const said = (err.Message ?? err.message ?? '').replace(/\s+/g, ' ').slice(0, 300);
  const detail = `${name}${said ? `: ${said}` : ''}`;
  if (AWS_THROTTLE_NAMES.has(name) || status === 429) {
    const retryAfterMs = parseRetryAfter(err.$response?.headers?.['retry-after'], now);
    return {
      code: 'HTTP_STATUS',
      message: `${label}: throttled (${name}, HTTP ${status ?? '?'})`,
      hint: words.throttleHint(e),
      status,
      retryable: true,
      throttle: true,
      cause: e,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  if (isStackOverflow(e)) return { code: 'DATA_INVALID', message: nestedTooDeep(`${label}: the response`, e).message, retryable: false, throttle: false, cause: e };
  if (AWS_AUTH_NAMES.has(name) || status === 401 || status === 403) {
    return { code: 'AUTH_REFUSED', message: `${label}: AWS refused the credentials (${detail})`, hint: words.authHint, status, retryable: false, throttle: false, cause: e };
  }
  if (AWS_TRANSIENT_NAMES.has(name) || (status !== undefined && status >= 500)) {
    return { code: 'HTTP_STATUS', message: `${label}: HTTP ${status ?? '?'} (${detail})`, status, retryable: true, throttle: false, cause: e };
  }
  if (status !== undefined && status >= 400) {
    return { code: 'HTTP_STATUS', message: `${label}: ${words.service} refused the request (${detail})`, status, retryable: false, throttle: false, cause: e };
  }
  if (errorCodeOf(e) !== undefined) return classifyTransportError(e, target);
  if (status !== undefined || name === 'SyntaxError' || /deserializ|JSON|Unexpected end|aborted|socket hang up/i.test(said)) {
    return { code: 'HTTP_BAD_BODY', message: `${label}: unreadable response (${said || name})`, status, retryable: true, throttle: false, cause: e };
  }
  return { code: 'HTTP_NETWORK', message: `${label}: request failed (${detail})`, retryable: false, throttle: false, cause: e };
}
