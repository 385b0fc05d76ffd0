import { createHmac } from 'node:crypto';

/** What a nextToken carries: which query it belongs to, where the next page starts, when it was issued. */
export interface TokenState {
  /** Hash of the query parameters the token is bound to. */
  query: string;
  offset: number;
  /** Emulator clock time (ms) the token was issued at: it expires one hour later (https://developer.amazon.com/docs/alexa/smapi/audit-logs-api.html). */
  issuedAt: number;
  /** Pages served so far in this pagination, so consecutive tokens always differ. */
  page: number;
}

const NEXT_TOKEN_TTL_MS = 3_600_000;

export type TokenCheck = { ok: true; state: TokenState } | { ok: false; reason: 'malformed' | 'other-query' | 'expired' };

/**
 * Opaque, tamper-evident page tokens: base64url of the state plus an HMAC with a per-emulator key.
 * The client can neither read nor forge them, as with the real service.
 */
export function createTokenCodec(secret: string) {
  const mac = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 22);
  return {
    queryHash(key: string): string {
      return createHmac('sha256', secret).update(`query:${key}`).digest('base64url').slice(0, 16);
    },
    encode(s: TokenState): string {
      const payload = Buffer.from(JSON.stringify([s.query, s.offset, s.issuedAt, s.page])).toString('base64url');
      return `${payload}.${mac(payload)}`;
    },
    check(token: string, queryHash: string, now: number): TokenCheck {
      const [payload, sig, extra] = token.split('.');
      if (!payload || !sig || extra !== undefined || mac(payload) !== sig) return { ok: false, reason: 'malformed' };
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      if (!Array.isArray(parsed) || parsed.length !== 4) return { ok: false, reason: 'malformed' };
      const [query, offset, issuedAt, page] = parsed as unknown[];
      if (typeof query !== 'string' || typeof offset !== 'number' || typeof issuedAt !== 'number' || typeof page !== 'number') {
        return { ok: false, reason: 'malformed' };
      }
      if (query !== queryHash) return { ok: false, reason: 'other-query' };
      if (now - issuedAt > NEXT_TOKEN_TTL_MS) return { ok: false, reason: 'expired' };
      return { ok: true, state: { query, offset, issuedAt, page } };
    },
  };
}
