/**
 * Switchable faults for emulators. A fault applies to one request; `enqueue` scripts the next
 * requests in order, `every` injects on a fixed period. Both are deterministic.
 */
export type Fault =
  /** An error status; `retryAfter` is sent verbatim as the Retry-After header (seconds or HTTP date). */
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  /** The connection is destroyed before any response byte. */
  | { kind: 'reset' }
  /** The whole response is delayed. */
  | { kind: 'slow'; delayMs: number }
  /** Headers and half the body are sent, then a pause, then the rest (a slow body). */
  | { kind: 'slow-body'; delayMs: number }
  /** The body is cut in half and the connection ended: truncated JSON. */
  | { kind: 'truncate' }
  /**
   * Headers at once, then the body one byte every `intervalMs`: a server that never goes idle long
   * enough for an idle timeout, yet never finishes (only a total deadline ends it).
   */
  | { kind: 'drip'; intervalMs: number }
  /**
   * A 200 whose body is pathological instead of the real answer: JSON nested `depth` deep
   * (`deep`), `bytes` of valid JSON (`huge`), or text that is not JSON (`garbage`).
   */
  | { kind: 'bad-body'; body: 'deep'; depth: number }
  | { kind: 'bad-body'; body: 'huge'; bytes: number }
  | { kind: 'bad-body'; body: 'garbage' };

export interface FaultRule {
  fault: Fault;
  /** Inject on every Nth eligible request (1 = all). */
  every: number;
  /** Stop after this many injections (undefined: forever). */
  times?: number;
  /** Only requests whose path matches. */
  pathPrefix?: string;
}

export interface FaultController {
  /** The next requests get these faults, one each, in order. */
  enqueue(...faults: Fault[]): void;
  /** Adds a periodic rule. */
  every(n: number, fault: Fault, opts?: { times?: number; pathPrefix?: string }): void;
  clear(): void;
  /** Called by the kit for each eligible request; returns the fault to apply, if any. */
  take(path: string): Fault | null;
  /** How many faults were injected so far. */
  injected(): number;
  describe(): { queued: Fault[]; rules: FaultRule[]; injected: number };
}

export function createFaults(): FaultController {
  const queue: Fault[] = [];
  const rules: (FaultRule & { seen: number; used: number })[] = [];
  let injected = 0;
  return {
    enqueue: (...faults) => {
      queue.push(...faults);
    },
    every: (n, fault, opts = {}) => {
      rules.push({ fault, every: Math.max(1, Math.floor(n)), times: opts.times, pathPrefix: opts.pathPrefix, seen: 0, used: 0 });
    },
    clear: () => {
      queue.length = 0;
      rules.length = 0;
    },
    take: (path) => {
      const queued = queue.shift();
      if (queued) {
        injected++;
        return queued;
      }
      for (const r of rules) {
        if (r.pathPrefix && !path.startsWith(r.pathPrefix)) continue;
        if (r.times !== undefined && r.used >= r.times) continue;
        r.seen++;
        if (r.seen % r.every === 0) {
          r.used++;
          injected++;
          return r.fault;
        }
      }
      return null;
    },
    injected: () => injected,
    describe: () => ({ queued: [...queue], rules: rules.map(({ fault, every, times, pathPrefix }) => ({ fault, every, times, pathPrefix })), injected }),
  };
}

/** The text of a pathological body (see the `bad-body` fault). */
export function badBodyText(f: Extract<Fault, { kind: 'bad-body' }>): string {
  if (f.body === 'deep') return `{"auditLogs":${'['.repeat(f.depth)}${']'.repeat(f.depth)}}`;
  if (f.body === 'huge') {
    // Valid JSON of about `bytes` bytes: one long string, so only its size is wrong.
    const head = '{"padding":"';
    return `${head}${'x'.repeat(Math.max(0, f.bytes - head.length - 2))}"}`;
  }
  return '<html><body>502 Bad Gateway</body></html> {"auditLogs": [';
}

/**
 * Parses a fault spec used by `auditpack emulate --fault` and the control endpoint: "429:2",
 * "reset", "slow:500", "truncate", "503", "drip:MS", "deep:DEPTH", "huge:BYTES", "garbage".
 */
export function parseFault(spec: string): Fault {
  const [kind, arg] = spec.split(':');
  if (kind === 'drip') return { kind: 'drip', intervalMs: Number(arg ?? 1000) };
  if (kind === 'deep') return { kind: 'bad-body', body: 'deep', depth: Number(arg ?? 100_000) };
  if (kind === 'huge') return { kind: 'bad-body', body: 'huge', bytes: Number(arg ?? 200 * 1024 * 1024) };
  if (kind === 'garbage') return { kind: 'bad-body', body: 'garbage' };
  if (/^\d{3}$/.test(kind)) return { kind: 'status', status: Number(kind), retryAfter: arg };
  if (kind === 'reset') return { kind: 'reset' };
  if (kind === 'truncate') return { kind: 'truncate' };
  if (kind === 'slow') return { kind: 'slow', delayMs: Number(arg ?? 1000) };
  if (kind === 'slow-body') return { kind: 'slow-body', delayMs: Number(arg ?? 1000) };
  throw new Error(`unknown fault "${spec}" (use 429[:retryAfter], 500, 503, reset, slow:MS, slow-body:MS, truncate, drip:MS, deep:DEPTH, huge:BYTES, garbage)`);
}
