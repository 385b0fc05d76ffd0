import { z } from 'zod';
import type { SourceLedger } from '../model/coverage.js';
import type { SourceType } from '../model/audit-event.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUTS } from '../http/defaults.js';
import { looksLikeSecret } from '../config/env-name.js';

/**
 * Config fields every API source shares: where secrets come from (`...Env`, `...File`), endpoints
 * (no credentials in them, TLS unless the source says otherwise), and the network limits
 * (deadlines, body cap). One schema, so every source refuses the same mistakes the same way.
 */

/**
 * The name of an environment variable holding a secret. The value is never repeated in a message:
 * if it is a pasted secret, echoing it would print the secret on the terminal and into CI logs.
 */
export const envNameField = z
  .string()
  .min(1, { error: 'give the name of an environment variable' })
  .max(255, { error: 'this must be the name of an environment variable (such as API_KEY), not the secret itself; the value given is not shown' })
  .refine((v) => !looksLikeSecret(v), {
    error: 'this must be the name of an environment variable (such as API_KEY), not the secret itself; the value given is not shown — put the secret in a variable and name it here',
  });

/** A file holding a secret (relative paths from the config file's folder). */
export const fileNameField = z.string().min(1);

const LOOPBACK_V4 = /^127(\.\d{1,3}){3}$/;

/** localhost, 127.0.0.0/8 or ::1: traffic that never leaves this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || LOOPBACK_V4.test(h) || h === '::1' || h === '0:0:0:0:0:0:0:1';
}

/**
 * An absolute http(s) URL with no user name or password in it. Credentials in a URL end up
 * wherever the URL is written (coverage ledger, report, manifest, logs); they belong in an
 * `...Env` variable.
 */
export function endpointField(example: string) {
  return z
    .string({ error: `give an absolute URL such as ${example}` })
    // For the JSON Schema (src/config/json-schema.ts): editors flag a non-URL as zod does.
    .meta({ format: 'uri' })
    .superRefine((v, ctx) => {
      let url: URL;
      try {
        url = new URL(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be an absolute URL such as ${example}` });
        return;
      }
      if (url.username !== '' || url.password !== '') {
        ctx.addIssue({
          code: 'custom',
          message: 'must not hold a user name or password (the URL is written into the pack): use an ...Env key of this source for the credential; the URL given is not shown',
        });
        return;
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        ctx.addIssue({ code: 'custom', message: `must be an http(s) URL such as ${example}` });
      }
    });
}

/**
 * Checks a source's endpoints for plain http to another machine: credentials and audit records
 * would cross the network unencrypted. Allowed only when the source says `allowInsecureHttp: true`
 * (and then stated in the coverage ledger, see `transportLedger`).
 */
export function refineInsecureEndpoints(
  c: { allowInsecureHttp?: boolean },
  endpoints: { path: (string | number)[]; url: string | undefined }[],
  ctx: z.RefinementCtx,
): void {
  if (c.allowInsecureHttp) return;
  for (const { path, url } of endpoints) {
    if (url === undefined) continue;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      continue;
    }
    if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `uses http:// to ${u.host}, another machine: credentials and audit records would cross the network unencrypted — use https://, or set "allowInsecureHttp": true on this source if that network is trusted (the pack then says so)`,
      });
    }
  }
}

export const DEFAULT_WINDOW_TIMEOUT_MS = 3_600_000;

/**
 * Network limits of an API source. `requestTimeoutMs` bounds one attempt from sending to the last
 * body byte (idle timeouts alone never end a server that drips a byte at a time);
 * `windowTimeoutMs` bounds a whole window, retries and waits included; `maxResponseBytes` caps
 * a response body. Past any of them the window fails with the reason, and the pack is INCOMPLETE.
 */
export function networkLimitsShape(defaults: { windowTimeoutMs?: number } = {}) {
  return {
    ...deadlineFieldsShape(defaults),
    maxResponseBytes: z
      .number()
      .int()
      .min(1024)
      .max(2 * 1024 * 1024 * 1024)
      .default(DEFAULT_MAX_RESPONSE_BYTES),
  };
}

/** The deadlines and `allowInsecureHttp` alone, for a source whose SDK reads the bodies itself. */
export function deadlineFieldsShape(defaults: { windowTimeoutMs?: number } = {}) {
  return {
    requestTimeoutMs: z.number().int().min(1).max(3_600_000).default(DEFAULT_TIMEOUTS.requestTimeoutMs),
    windowTimeoutMs: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3_600_000)
      .default(defaults.windowTimeoutMs ?? DEFAULT_WINDOW_TIMEOUT_MS),
    /** Plain http:// to a host other than this machine; stated in the coverage ledger and the PDF. */
    allowInsecureHttp: z.boolean().default(false),
  };
}

/**
 * The ledger section stating that a source was allowed plain http, and which endpoints used it:
 * an auditor reading the pack learns that its records (and the credentials that fetched them)
 * crossed the network without TLS. Empty when the source did not allow it.
 */
export function transportLedger(source: string, sourceType: SourceType, allowInsecureHttp: boolean, endpoints: (string | undefined)[]): SourceLedger[] {
  if (!allowInsecureHttp) return [];
  const plain = [...new Set(endpoints.filter((e): e is string => e !== undefined && e.startsWith('http:')))].sort();
  return [
    {
      source,
      sourceType,
      title: 'Transport security',
      status: 'complete',
      facts: {
        allowInsecureHttp: true,
        plainHttpEndpoints: plain.length ? plain.join(', ') : 'none (every endpoint used https)',
        statement: plain.length
          ? 'this source was allowed plain http: its requests, credentials and records to the endpoints above were sent without TLS'
          : 'this source was allowed plain http, but every endpoint it used was https',
      },
      problems: [],
    },
  ];
}
