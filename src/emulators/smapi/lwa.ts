import { json, type EmuRequest, type EmuResponse } from '../kit/server.js';
import { seededRandom } from '../kit/random.js';

/** The Login with Amazon app the emulator accepts, and the refresh token of its one user. */
export interface LwaCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export type TokenVerdict = 'ok' | 'missing' | 'invalid' | 'expired';

export interface LwaIssuer {
  /** `POST /auth/o2/token` (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html: form body, `{access_token, token_type, expires_in}`). */
  handle(req: EmuRequest): EmuResponse;
  /** Mints an access token directly (for the access-token-from-env mode). */
  issue(ttlSeconds?: number): string;
  verify(authorization: string | undefined): TokenVerdict;
  /** Every access token issued so far becomes invalid (a password change, a revoked app). */
  revokeAll(): void;
  /** Successful token grants so far. */
  grants(): number;
}

/**
 * A small LWA token endpoint. Errors follow OAuth 2.0 (RFC 6749 §5.2) as LWA answers them:
 * `{error, error_description}` with 400, or 401 for a bad client.
 */
export function createLwaIssuer(opts: { credentials: LwaCredentials; ttlSeconds: number; now: () => number; seed: string }): LwaIssuer {
  const rnd = seededRandom(`smapi-lwa:${opts.seed}`);
  const tokens = new Map<string, number>();
  let grants = 0;

  const issue = (ttlSeconds = opts.ttlSeconds): string => {
    const now = opts.now();
    // Forget long-dead tokens (memory stays flat over a long benchmark); recently expired ones still answer "expired".
    for (const [t, exp] of tokens) if (exp + 3_600_000 <= now) tokens.delete(t);
    const token = `Atza|IwEB${rnd.hex(48)}`;
    tokens.set(token, now + ttlSeconds * 1000);
    return token;
  };

  const oauthError = (status: number, error: string, description: string) => json(status, { error, error_description: description });

  return {
    handle(req) {
      if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'The token endpoint only accepts POST');
      const form = new URLSearchParams(req.body);
      let clientId = form.get('client_id') ?? '';
      let clientSecret = form.get('client_secret') ?? '';
      // RFC 6749 §2.3.1 also allows the client credentials in HTTP Basic auth.
      const basic = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
      if (basic) {
        const [id, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
        clientId = decodeURIComponent(id);
        clientSecret = decodeURIComponent(rest.join(':'));
      }
      const grantType = form.get('grant_type');
      if (!grantType) return oauthError(400, 'invalid_request', 'The request is missing a required parameter : grant_type');
      if (grantType !== 'refresh_token') return oauthError(400, 'unsupported_grant_type', `Unsupported grant_type: ${grantType}`);
      if (!clientId || !clientSecret) return oauthError(400, 'invalid_request', 'The request is missing a required parameter : client_id or client_secret');
      if (clientId !== opts.credentials.clientId || clientSecret !== opts.credentials.clientSecret) {
        return oauthError(401, 'invalid_client', 'Client authentication failed');
      }
      const refresh = form.get('refresh_token');
      if (!refresh) return oauthError(400, 'invalid_request', 'The request is missing a required parameter : refresh_token');
      if (refresh !== opts.credentials.refreshToken) return oauthError(400, 'invalid_grant', 'The request has an invalid grant parameter : refresh_token');
      grants++;
      return json(200, {
        access_token: issue(),
        refresh_token: opts.credentials.refreshToken,
        token_type: 'bearer',
        expires_in: opts.ttlSeconds,
      });
    },
    issue,
    verify(authorization) {
      if (!authorization) return 'missing';
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!m) return 'invalid';
      const exp = tokens.get(m[1]);
      if (exp === undefined) return 'invalid';
      return exp <= opts.now() ? 'expired' : 'ok';
    },
    revokeAll() {
      tokens.clear();
    },
    grants: () => grants,
  };
}
