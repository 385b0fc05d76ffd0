/**
 * Every secret auditpack resolves is registered here, and every text that leaves the process
 * (logs, error lines, ledger notes) passes through `redact`. One instance per run, passed down.
 */
export interface Redactor {
  add(secret: string | undefined | null): void;
  redact(text: string): string;
  /** True if the text contains any registered secret. */
  leaks(text: string): boolean;
}

export function createRedactor(): Redactor {
  const secrets = new Set<string>();
  return {
    add(secret) {
      // Very short values would redact ordinary words; secrets that short are not secrets.
      if (secret && secret.length >= 6) secrets.add(secret);
    },
    redact(text) {
      let out = text;
      for (const s of secrets) out = out.split(s).join('[REDACTED]');
      return out;
    },
    leaks(text) {
      for (const s of secrets) if (text.includes(s)) return true;
      return false;
    },
  };
}
