/**
 * Typed errors with stable codes. The CLI's error boundary (src/cli/error-boundary.ts) is the one
 * place these become exit codes; everything below only throws.
 */
export const EXIT = {
  ok: 0,
  incomplete: 1,
  badInput: 2,
  accessRefused: 3,
  unreachable: 4,
  verifyFailed: 5,
  internal: 70,
  interrupted: 130,
} as const;

export type ErrorCode =
  | 'USAGE'
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'SECRET_MISSING'
  | 'PERIOD_INVALID'
  | 'TIMEZONE_INVALID'
  | 'RETENTION_EXCEEDED'
  | 'TEMPLATE_INVALID'
  | 'AUTH_REFUSED'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_UNREACHABLE'
  | 'HTTP_STATUS'
  | 'HTTP_TIMEOUT'
  | 'HTTP_NETWORK'
  | 'HTTP_BAD_BODY'
  | 'RETRY_BUDGET_EXHAUSTED'
  | 'PAGE_TOKEN_INVALID'
  | 'QUERY_TIMEOUT'
  | 'QUERY_FAILED'
  | 'DATA_INVALID'
  | 'PACK_INVALID'
  | 'VERIFY_FAILED'
  | 'ABORTED'
  | 'INTERNAL';

const EXIT_BY_CODE: Record<ErrorCode, number> = {
  USAGE: EXIT.badInput,
  CONFIG_INVALID: EXIT.badInput,
  CONFIG_NOT_FOUND: EXIT.badInput,
  SECRET_MISSING: EXIT.badInput,
  PERIOD_INVALID: EXIT.badInput,
  TIMEZONE_INVALID: EXIT.badInput,
  RETENTION_EXCEEDED: EXIT.badInput,
  TEMPLATE_INVALID: EXIT.badInput,
  PACK_INVALID: EXIT.badInput,
  AUTH_REFUSED: EXIT.accessRefused,
  SOURCE_NOT_FOUND: EXIT.accessRefused,
  SOURCE_UNREACHABLE: EXIT.unreachable,
  HTTP_STATUS: EXIT.incomplete,
  HTTP_TIMEOUT: EXIT.incomplete,
  HTTP_NETWORK: EXIT.incomplete,
  HTTP_BAD_BODY: EXIT.incomplete,
  RETRY_BUDGET_EXHAUSTED: EXIT.incomplete,
  PAGE_TOKEN_INVALID: EXIT.incomplete,
  QUERY_TIMEOUT: EXIT.incomplete,
  QUERY_FAILED: EXIT.incomplete,
  DATA_INVALID: EXIT.incomplete,
  VERIFY_FAILED: EXIT.verifyFailed,
  ABORTED: EXIT.interrupted,
  INTERNAL: EXIT.internal,
};

/**
 * Fatal errors stop the whole run before a pack is written (bad input, access refused, a source
 * that cannot be reached at all). Others fail only the window they happened in: the pack is still
 * written, marked INCOMPLETE.
 */
const FATAL: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'USAGE',
  'CONFIG_INVALID',
  'CONFIG_NOT_FOUND',
  'SECRET_MISSING',
  'PERIOD_INVALID',
  'TIMEZONE_INVALID',
  'RETENTION_EXCEEDED',
  'TEMPLATE_INVALID',
  'AUTH_REFUSED',
  'SOURCE_NOT_FOUND',
  'SOURCE_UNREACHABLE',
  'PACK_INVALID',
  'INTERNAL',
]);

export interface AuditpackErrorOptions {
  cause?: unknown;
  /** How to fix it, appended to the one-line message. */
  hint?: string;
  /** HTTP status, when the error came from a response. */
  status?: number;
  /** Extra facts for --verbose and the coverage ledger; never secrets. */
  details?: Record<string, unknown>;
}

export class AuditpackError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly status?: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AuditpackErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuditpackError';
    this.code = code;
    this.hint = options.hint;
    this.status = options.status;
    this.details = options.details;
  }

  get exitCode(): number {
    return EXIT_BY_CODE[this.code];
  }

  get fatal(): boolean {
    return FATAL.has(this.code);
  }

  /** The one line shown to the user. */
  get oneLine(): string {
    return this.hint ? `${this.message} — ${this.hint}` : this.message;
  }
}

export function isAuditpackError(e: unknown): e is AuditpackError {
  return e instanceof AuditpackError;
}

/** Wrap anything thrown into an AuditpackError, keeping the original as `cause`. */
export function toAuditpackError(e: unknown): AuditpackError {
  if (isAuditpackError(e)) return e;
  if (e instanceof Error && e.name === 'AbortError') return new AuditpackError('ABORTED', 'interrupted', { cause: e });
  const message = e instanceof Error ? e.message : String(e);
  return new AuditpackError('INTERNAL', `unexpected error: ${message}`, { cause: e });
}
