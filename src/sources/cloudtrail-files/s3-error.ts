import { AuditpackError } from '../../errors.js';

/*
 * What the S3 client's errors mean, without the client: modules that only classify its errors
 * (reading a file's body) need not load the SDK, so a run over a local folder never does.
 */

export function metadataOf(v: unknown): { attempts?: number; httpStatusCode?: number } {
  if (v && typeof v === 'object' && '$metadata' in v && v.$metadata && typeof v.$metadata === 'object') {
    return v.$metadata as { attempts?: number; httpStatusCode?: number };
  }
  return {};
}

export function nameOf(e: unknown): string {
  return e instanceof Error ? e.name : '';
}

/** SDK errors to the tool's error codes: which ones stop the run, which fail one window. */
export function s3Error(e: unknown, what: string): AuditpackError {
  if (e instanceof AuditpackError) return e;
  const name = nameOf(e);
  const status = metadataOf(e).httpStatusCode;
  const code = e && typeof e === 'object' && 'code' in e ? String(e.code) : '';
  const detail = e instanceof Error ? e.message : String(e);
  if (name === 'AbortError') return new AuditpackError('ABORTED', 'interrupted', { cause: e });
  if (name === 'CredentialsProviderError' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'ExpiredToken') {
    return new AuditpackError('AUTH_REFUSED', `${what}: AWS credentials were refused or not found (${name})`, {
      cause: e,
      hint: 'configure the standard AWS credential chain (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO or an instance role)',
    });
  }
  if (name === 'AccessDenied' || status === 403) {
    return new AuditpackError('AUTH_REFUSED', `${what}: access denied`, {
      cause: e,
      status,
      hint: 'the credentials need s3:ListBucket and s3:GetObject on the trail bucket',
    });
  }
  if (name === 'NoSuchBucket' || name === 'PermanentRedirect') {
    return new AuditpackError('SOURCE_NOT_FOUND', `${what}: ${name === 'NoSuchBucket' ? 'no such bucket' : 'the bucket is in another region'}`, {
      cause: e,
      status,
      hint: name === 'NoSuchBucket' ? 'check the bucket name in location' : 'set s3Region to the bucket region',
    });
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new AuditpackError('SOURCE_UNREACHABLE', `${what}: cannot connect (${code})`, { cause: e, hint: 'check endpoint and the network' });
  }
  if (status !== undefined) return new AuditpackError('HTTP_STATUS', `${what}: HTTP ${status} ${name}`, { cause: e, status });
  return new AuditpackError('HTTP_NETWORK', `${what}: ${detail}`, { cause: e });
}
