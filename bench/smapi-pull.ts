import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { prepareRun } from '../src/job/prepare-run.js';
import { runPipeline } from '../src/pipeline/run-pipeline.js';
import { createRuleEngine } from '../src/rules/engine.js';
import { sourceRegistry } from '../src/sources/registry.js';
import { createHttpClient } from '../src/http/client.js';
import { systemClock } from '../src/util/clock.js';
import { silentLogger } from '../src/util/logger.js';
import { createRedactor } from '../src/util/redactor.js';
import { mainThreadCpu } from './thread-cpu.js';
import { barePull } from './smapi-bare-pull.js';
import { smapiQueryUrl } from '../src/sources/smapi/config.js';

export interface SmapiPullResult {
  events: number;
  pages: number;
  seconds: number;
  eventsPerSecond: number;
  floorSeconds: number;
  ratioToFloor: number;
  peakRssMb: number;
  /** CPU time of this process during the pull: near `seconds` means the pull is CPU-bound, not waiting on the network. */
  cpuSeconds: number;
  /** Of it, the main thread's (Linux only, else null): the thread that reads every page and sends every request. */
  mainThreadCpuSeconds: number | null;
  /** The bare client's first pass, which warms the emulator: its time over the floor includes the emulator's compiling. */
  coldBare: { seconds: number; ratioToFloor: number };
  /** The same pull again right after, both processes' code compiled by then. */
  warm: { seconds: number; ratioToFloor: number };
  /** The same windows paged by a bare client (smapi-bare-pull.ts) last: its time over the floor is the harness's own. */
  bare: { seconds: number; ratioToFloor: number };
}

/**
 * Issue #2's benchmark: a month of 100,000 SMAPI events pulled from the emulator (in another
 * process) with 20 ms added per request, through pull, normalize, de-duplication, aggregation and
 * rules. The floor is pages × latency ÷ concurrency: the time the network alone needs. The verdict
 * is the first pull's (this process cold, as in a user's run), against a warm emulator.
 */
export async function benchSmapiPull(opts: { events?: number; latencyMs?: number; concurrency?: number } = {}): Promise<SmapiPullResult> {
  const events = opts.events ?? 100_000;
  const latency = opts.latencyMs ?? 20;
  const concurrency = opts.concurrency ?? 4;
  const start = Date.parse('2026-10-01T00:00:00Z');
  const end = Date.parse('2026-11-01T00:00:00Z');
  const child = spawn(process.execPath, [...(process.env.BENCH_EMULATOR_NODE_ARGS ?? "").split(" ").filter(Boolean), join(import.meta.dirname, 'smapi-emulator-process.js'), String(events), String(latency), String(start), String(end)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulator exited ${code}`)));
  });
  const emu = JSON.parse(first) as { url: string; tokenUrl: string; vendorId: string; credentials: { refreshToken: string; clientId: string; clientSecret: string }; truth: number };
  try {
    const dir = mkdtempSync(join(tmpdir(), 'ap-bench-'));
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({
      organization: 'Bench', timezone: 'UTC',
      sources: [{ type: 'smapi', vendorId: emu.vendorId, endpoint: emu.url, concurrency, pageSize: 200,
        auth: { refreshTokenEnv: 'B_RT', clientIdEnv: 'B_CI', clientSecretEnv: 'B_CS', tokenEndpoint: emu.tokenUrl } }],
    }));
    const env = { B_RT: emu.credentials.refreshToken, B_CI: emu.credentials.clientId, B_CS: emu.credentials.clientSecret };
    const redactor = createRedactor();
    const prepared = await prepareRun({ configFile, period: '2026-10', tz: 'UTC', env, clock: systemClock, log: silentLogger, redactor, registry: sourceRegistry });
    // The emulator stands for a remote API, which is warm and runs on machines of its own; here it
    // shares the two cores, and while its own code is still being compiled it takes CPU from the
    // pull measured (a pull against a cold emulator took ~0.1× of the floor more). So a bare client
    // pages the windows once first. Then the pull twice: the first is a user's run (this process
    // compiling its code as it goes: the verdict), the second shows what is left once it is warm.
    const bareArgs = { ...emu, url: smapiQueryUrl(emu.url), windows: [...prepared.plans.values()][0], concurrency, pageSize: 200 };
    const coldBare = await barePull(bareArgs);
    const pull = async (round: number) => {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const main0 = mainThreadCpu();
      const result = await runPipeline({
        sources: prepared.sources, period: prepared.period, plans: prepared.plans, packDir: join(dir, `pack-${round}`), stateDir: join(dir, `state-${round}`),
        httpFor: () => createHttpClient({ concurrency }, { clock: systemClock, log: silentLogger }),
        directory: null, rules: createRuleEngine(prepared.template.rules, { timeZone: 'UTC', directory: null, businessHours: null }), sampler: null,
        log: silentLogger, clock: systemClock, signal: new AbortController().signal,
        progress: { windowStarted() {}, windowDone() {}, update() {} },
      });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const main1 = mainThreadCpu();
      if (result.aggregate.totals.events !== emu.truth) throw new Error(`counted ${result.aggregate.totals.events}, truth ${emu.truth}`);
      return { result, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, mainThreadCpuSeconds: main0 === null || main1 === null ? null : main1 - main0 };
    };
    const { result, seconds, cpuSeconds, mainThreadCpuSeconds } = await pull(1);
    const warm = await pull(2);
    await Promise.all(prepared.sources.map((s) => s.close?.()));
    const bare = await barePull(bareArgs);
    const pagesOf = (r: typeof result) => r.coverage.windows.reduce((n, w) => n + w.pages, 0);
    const pages = pagesOf(result);
    // Every pass the same pages, or the ratios would not be of the same work.
    for (const [what, n] of [['the warm pull', pagesOf(warm.result)], ['the first bare pass', coldBare.pages], ['the last bare pass', bare.pages]] as const) {
      if (n !== pages) throw new Error(`${what} read ${n} pages, the pull ${pages}`);
    }
    const floorSeconds = (pages * latency) / 1000 / concurrency;
    return {
      coldBare: { seconds: coldBare.seconds, ratioToFloor: coldBare.seconds / floorSeconds },
      bare: { seconds: bare.seconds, ratioToFloor: bare.seconds / floorSeconds },
      warm: { seconds: warm.seconds, ratioToFloor: warm.seconds / floorSeconds },
      events: result.aggregate.totals.events, pages, seconds, eventsPerSecond: result.aggregate.totals.events / seconds,
      floorSeconds, ratioToFloor: seconds / floorSeconds, peakRssMb: process.resourceUsage().maxRSS / 1024, cpuSeconds, mainThreadCpuSeconds,
    };
  } finally {
    child.stdin.end();
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchSmapiPull();
  console.log(
    `smapi pull: ${r.events.toLocaleString('en-US')} events, ${r.pages} pages in ${r.seconds.toFixed(2)} s = ${Math.round(r.eventsPerSecond).toLocaleString('en-US')} events/s; ` +
      `floor (pages × 20 ms ÷ 4) ${r.floorSeconds.toFixed(2)} s, ratio ${r.ratioToFloor.toFixed(2)}× (target ≤ 1.2×: ${r.ratioToFloor <= 1.2 ? 'PASS' : 'FAIL'}); CPU ${r.cpuSeconds.toFixed(2)} s (${Math.round((r.cpuSeconds / r.events) * 1e6)} µs/event${r.mainThreadCpuSeconds === null ? '' : `; main thread ${r.mainThreadCpuSeconds.toFixed(2)} s`}); peak RSS ${Math.round(r.peakRssMb)} MiB`,
  );
  console.log(`  before it, the emulator warmed by a bare client paging the same windows: ${r.coldBare.seconds.toFixed(2)} s, ${r.coldBare.ratioToFloor.toFixed(2)}× the floor`);
  console.log(`  the same pull again, warm (its code compiled): ${r.warm.seconds.toFixed(2)} s, ${r.warm.ratioToFloor.toFixed(2)}× the floor`);
  console.log(`  the same windows paged by a bare client (undici request, JSON.parse, nothing else), warm: ${r.bare.seconds.toFixed(2)} s, ${r.bare.ratioToFloor.toFixed(2)}× the floor: the harness's own share`);
}
