/** Timeouts and limits of the HTTP client when a source sets none (no undici import: config loading reads these). */
export const DEFAULT_TIMEOUTS = { connectTimeoutMs: 10_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 60_000, requestTimeoutMs: 120_000 } as const;
/** 64 MiB: a page of any of the APIs is well under a megabyte; a body this large is not a page. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_CONCURRENCY = 4;
