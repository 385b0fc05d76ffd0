import type { IncomingHttpHeaders } from 'node:http';
import { commonError } from './aws-json.js';
import type { EmuResponse } from '../kit/server.js';

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

/**
 * Reads the SigV4 credential scope from `Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
 * SignedHeaders=..., Signature=...`. The signature itself is not verified (any signature is accepted);
 * the access key picks the account and the scope's region picks the data, like the real endpoint.
 * Error names and texts are those the AWS front end returns for the same mistakes.
 */
export function readCredentialScope(headers: IncomingHttpHeaders, expectedService: string): CredentialScope | EmuResponse {
  const auth = headerValue(headers, 'authorization');
  if (!auth) return commonError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/.exec(auth.trim());
  if (!m) return commonError('IncompleteSignatureException', `Authorization header requires 'Credential' parameter. Authorization=${auth.split(' ')[0]}`);
  const parts = new Map<string, string>();
  for (const p of m[1].split(',')) {
    const eq = p.indexOf('=');
    if (eq > 0) parts.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  for (const required of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!parts.get(required)) {
      return commonError('IncompleteSignatureException', `Authorization header requires '${required}' parameter.`);
    }
  }
  if (!headerValue(headers, 'x-amz-date') && !headerValue(headers, 'date')) {
    return commonError('IncompleteSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  const scope = (parts.get('Credential') ?? '').split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1]) || !/^[a-z0-9-]+$/.test(scope[2])) {
    return commonError('IncompleteSignatureException', 'Credential should be scoped to a valid region.');
  }
  if (scope[3] !== expectedService) {
    return commonError('InvalidSignatureException', `Credential should be scoped to correct service: '${expectedService}'.`);
  }
  return { accessKeyId: scope[0], date: scope[1], region: scope[2], service: scope[3] };
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
