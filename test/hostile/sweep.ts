/**
 * The hostile-case sweep of issue 12: runs the issue's list of hostile cases against a build of the
 * CLI (real processes, real emulators on 127.0.0.1) and prints one row per case: exit code (and
 * what was expected), whether it hung (killed at a per-case timeout), whether a planted secret
 * leaked (stdout, stderr and every file the run left, gzip members, workbook parts and PDF text
 * included), and whether data was lost silently (a COMPLETE pack holding fewer events than the
 * emulator's ground truth).
 *
 *   npm run hostile                       # the build in this checkout
 *   node dist/test/hostile/sweep.js --cli /other/checkout/dist/src/cli/main.js --json out.json
 *
 * Not part of `npm test`: it takes minutes. Each case also has (or is) a test of its own.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { startAmplitudeEmulator, demoAmplitudeSetup, type AmplitudeEmulator } from '../../src/emulators/amplitude/index.js';
import { writeCloudTrailLogFolder, type LogFolderTruth } from '../../src/emulators/cloudtrail-files/index.js';
import { startSmapiEmulator, demoSmapiSetup, smapiDemoDirectory, type SmapiEmulator } from '../../src/emulators/smapi/index.js';
import { startTrailLogsEmulator, demoTrailLogsSetup, type TrailLogsEmulator } from '../../src/emulators/trail-logs/index.js';
import { MANIFEST_SEAL_FILE, manifestSeal } from '../../src/pack/manifest.js';
import { readPdf } from '../render/pdf/read-pdf.js';

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const CLI = resolve(flag('--cli') ?? join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.js'));
const ONLY = flag('--only');
const JSON_OUT = flag('--json');
/** Per-run limit: a run still going after this is killed and counted as a hang. */
const HANG_MS = Number(flag('--hang-seconds') ?? 240) * 1000;

const DAY = 86_400_000;
const FROM = '2026-11-20';
const TO = '2026-11-22';
const START = Date.parse(`${FROM}T00:00:00Z`);
const END = Date.parse(`${TO}T00:00:00Z`) + DAY;
const PERIOD = ['--from', FROM, '--to', TO, '--tz', 'UTC', '--generated-at', '2026-12-02T09:00:00Z'];

// Secrets planted in every credential: found anywhere in an output, they leaked.
const PLANTED = {
  lwaSecret: 'lwa-secret-PLANTED-7f3a9c2e',
  lwaRefresh: 'Atzr|refresh-PLANTED-51be0d77',
  trailKey: 'tl_live_PLANTED_c0ffee1234567890',
  ampKey: 'amp-key-PLANTED-0a1b2c3d',
  ampSecret: 'amp-secret-PLANTED-9e8d7c6b',
  pasted: 'sk_live_51HPLANTEDq2eZvKYlo2C0aBcDeF',
  pastedHex: '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b',
  userPass: 'Hunter2PLANTED',
};

interface RunResult {
  code: number | null;
  hang: boolean;
  stdout: string;
  stderr: string;
}

interface Row {
  id: string;
  item: string;
  name: string;
  expected: string;
  exit: string;
  hang: boolean;
  leak: string;
  loss: string;
  ok: boolean;
  note: string;
}

let smapi: SmapiEmulator;
let trail: TrailLogsEmulator;
let amplitude: AmplitudeEmulator;
let root: string;
const rows: Row[] = [];
let extraSecrets: string[] = [];

function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; onStart?: (pid: number) => void; wrap?: string[] } = {}): Promise<RunResult> {
  return new Promise((resolveRun) => {
    const [cmd, ...pre] = [...(opts.wrap ?? []), process.execPath];
    const child = spawn(cmd, [...pre, CLI, ...args], {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hang = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      hang = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? HANG_MS);
    if (child.pid) opts.onStart?.(child.pid);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, hang, stdout, stderr });
    });
  });
}

/** A fresh folder for one case: `cfg/` holds what the user wrote (config, CSV), `run/` what auditpack wrote. */
function caseDir(id: string): { cfg: string; run: string } {
  const dir = join(root, id);
  mkdirSync(join(dir, 'cfg'), { recursive: true });
  mkdirSync(join(dir, 'run'), { recursive: true });
  return { cfg: join(dir, 'cfg'), run: join(dir, 'run') };
}

function writeConfig(cfg: string, sources: Record<string, unknown>[], extra: Record<string, unknown> = {}): string {
  writeFileSync(join(cfg, 'requesters.csv'), 'userId,name,email\n' + smapiDemoDirectory().map((r) => `${r.userId},"${r.name}",${r.email}`).join('\n') + '\n');
  const file = join(cfg, 'auditpack.json');
  writeFileSync(file, JSON.stringify({ organization: 'Hostile Corp', timezone: 'UTC', requesterDirectory: 'requesters.csv', sources, ...extra }, null, 2));
  return file;
}

const smapiSource = (extra: Record<string, unknown> = {}) => ({ ...demoSmapiSetup(smapi).sourceConfig, concurrency: 1, ...extra });
const trailSource = (extra: Record<string, unknown> = {}) => ({ ...demoTrailLogsSetup(trail).sourceConfig, ...extra });
const ampSource = (extra: Record<string, unknown> = {}) => ({ ...demoAmplitudeSetup(amplitude).sourceConfig, ...extra });
const env = () => ({ ...demoSmapiSetup(smapi).env, ...demoTrailLogsSetup(trail).env, ...demoAmplitudeSetup(amplitude).env });

/** Every text a run left: its output, and each regular file under `dirs` opened as a reader would. */
async function texts(dirs: string[], outputs: string[]): Promise<[string, string][]> {
  const out: [string, string][] = outputs.map((o, i) => [`output ${i}`, o]);
  const walk = (d: string): string[] => {
    if (!existsSync(d)) return [];
    return readdirSync(d).flatMap((f) => {
      const p = join(d, f);
      const st = lstatSync(p);
      return st.isDirectory() ? walk(p) : st.isFile() ? [p] : [];
    });
  };
  for (const dir of dirs) {
    for (const file of walk(dir)) {
      const rel = relative(root, file);
      const bytes = readFileSync(file);
      out.push([rel, bytes.toString('latin1')]);
      try {
        if (file.endsWith('.gz')) out.push([`${rel} (gunzipped)`, gunzipSync(bytes).toString('utf8')]);
        if (file.endsWith('.xlsx')) for (const [part, data] of Object.entries(unzipSync(bytes))) out.push([`${rel}:${part}`, Buffer.from(data).toString('utf8')]);
        if (file.endsWith('.pdf')) {
          const items = (await readPdf(file)).pages.flat();
          out.push([`${rel} (text)`, items.join('\n')], [`${rel} (text, joined)`, items.join('')]);
        }
      } catch {
        // A file cut short by a kill: its bytes were searched above.
      }
    }
  }
  return out;
}

async function leakCheck(dirs: string[], r: RunResult[]): Promise<string> {
  const secrets = [...Object.values(PLANTED), trail.truth.plantedSecret, ...extraSecrets];
  const found = (await texts(dirs, r.flatMap((x) => [x.stdout, x.stderr]))).filter(([, t]) => secrets.some((s) => t.includes(s)));
  return found.length === 0 ? 'no' : `LEAK: ${found.map(([n]) => n).slice(0, 3).join(', ')}`;
}

/** Events a COMPLETE pack holds per source vs what the emulators hold for the period. */
function lossCheck(pack: string, expected: Record<string, number>): string {
  const manifest = join(pack, 'manifest.json');
  if (!existsSync(manifest)) return 'no pack';
  const status = (JSON.parse(readFileSync(manifest, 'utf8')) as { status: string }).status;
  const coverage = JSON.parse(readFileSync(join(pack, 'coverage.json'), 'utf8')) as { windows: { source: string; eventsKept: number }[] };
  const kept: Record<string, number> = {};
  for (const w of coverage.windows) kept[w.source] = (kept[w.source] ?? 0) + w.eventsKept;
  const diffs = Object.entries(expected).filter(([s, n]) => (kept[s] ?? 0) !== n).map(([s, n]) => `${s} ${kept[s] ?? 0}/${n}`);
  if (status !== 'COMPLETE') return `none silent (${status})`;
  return diffs.length === 0 ? 'no' : `SILENT LOSS: ${diffs.join(', ')}`;
}

const truthFor = {
  smapi: () => smapi.truth.count({ start: START, end: END }).events,
  trail: () => trail.truth.between(START, END).length,
  amplitude: () => amplitude.truth.between(START, END).length,
};

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l && !l.startsWith('progress:') && !l.startsWith('{"time"') && !/^warn: (resuming|the pack is dated)/.test(l)) ?? ''
  ).slice(0, 150);
}

interface CaseResult {
  runs: RunResult[];
  /** Exit code(s) shown in the table (default: the last run's). */
  exit?: string;
  ok: boolean;
  loss?: string;
  note?: string;
  scan?: string[];
}

async function hostileCase(id: string, item: string, name: string, expected: string, body: (d: { cfg: string; run: string }) => Promise<CaseResult>): Promise<void> {
  if (ONLY && !new RegExp(ONLY).test(`${id} ${name}`)) return;
  const d = caseDir(id);
  const t0 = Date.now();
  let res: CaseResult;
  try {
    res = await body(d);
  } catch (e) {
    res = { runs: [], ok: false, note: `sweep error: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    smapi.faults.clear();
    trail.faults.clear();
    amplitude.faults.clear();
  }
  const last = res.runs.at(-1);
  const hang = res.runs.some((r) => r.hang);
  const leak = await leakCheck([d.run, ...(res.scan ?? [])], res.runs);
  const exits = res.exit ?? (last ? String(last.code) : '-');
  const row: Row = {
    id,
    item,
    name,
    expected,
    exit: exits,
    hang,
    leak,
    loss: res.loss ?? 'n/a',
    ok: res.ok && !hang && leak === 'no' && !/SILENT/.test(res.loss ?? '') && !res.runs.some((r) => r.code === 70),
    note: res.note ?? firstLine(last?.stderr ?? ''),
  };
  rows.push(row);
  process.stderr.write(`${row.ok ? 'ok  ' : 'FAIL'} ${id} ${name}: exit ${row.exit} (${Math.round((Date.now() - t0) / 1000)} s)${row.ok ? '' : ` — ${row.note}`}\n`);
}

const is = (r: RunResult | undefined, code: number) => r !== undefined && r.code === code;

async function waitFor(pred: () => boolean, limitMs = 120_000): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (pred()) return true;
    await sleep(10);
  }
  return false;
}

function checkpointCount(runDir: string, source: string): number {
  const dir = join(runDir, '.pack.partial', '.state', 'windows', source);
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')).length : 0;
}

function cloudTrailFolder(dir: string, seed: string, opts: { digests?: boolean; trailStart?: number } = {}): LogFolderTruth {
  const truth = writeCloudTrailLogFolder({
    dir,
    accounts: ['111122223333'],
    regions: ['us-east-1'],
    period: { start: opts.trailStart ?? START, end: END },
    seed,
    eventsPerFile: 10,
    fileEveryMinutes: 60,
    insights: false,
    ...(opts.digests ? { digests: { privateKeyPem: KEY, until: END + 2 * 3_600_000 } } : {}),
  });
  if (truth.publicKeysJson) writeFileSync(join(dir, '..', 'keys.json'), truth.publicKeysJson);
  return truth;
}
let KEY = '';

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`no CLI at ${CLI}: build first (npx tsc -p .)`);
  root = mkdtempSync(join(tmpdir(), 'ap-hostile-'));
  KEY = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  smapi = await startSmapiEmulator({ seed: 'hostile', period: { start: START - 2 * DAY, end: END + 2 * DAY }, eventCount: 300, lwa: { clientSecret: PLANTED.lwaSecret, refreshToken: PLANTED.lwaRefresh } });
  trail = await startTrailLogsEmulator({ start: START - 2 * DAY, end: END + 2 * DAY, recordsPerDay: 20, apiKey: PLANTED.trailKey });
  amplitude = await startAmplitudeEmulator({ start: START - 2 * DAY, end: END + 2 * DAY, recordsPerDay: 10, apiKey: PLANTED.ampKey, secretKey: PLANTED.ampSecret });
  process.stderr.write(`hostile sweep: CLI ${CLI}\nwork folder ${root}\n`);
  try {
    await cases();
  } finally {
    await Promise.all([smapi.close(), trail.close(), amplitude.close()]);
  }
  print();
  if (!argv.includes('--keep')) rmSync(root, { recursive: true, force: true });
}

async function cases(): Promise<void> {
  const all = () => [smapiSource(), trailSource(), ampSource()];
  const expectAll = () => ({ smapi: truthFor.smapi(), 'trail-logs': truthFor.trail(), amplitude: truthFor.amplitude() });
  const run = (config: string, out: string, extra: string[] = []) => ['run', '-c', config, ...PERIOD, '--out', out, ...extra];

  await hostileCase('base', '-', 'baseline: three API sources, nothing hostile', '0', async ({ cfg, run: dir }) => {
    const r = await runCli(run(writeConfig(cfg, all()), join(dir, 'pack')), { env: env() });
    const loss = lossCheck(join(dir, 'pack'), expectAll());
    return { runs: [r], ok: is(r, 0) && loss === 'no', loss };
  });

  // --- Item 1 and 11: interrupted runs ---
  await hostileCase('kill9', '1', 'kill -9 mid-pull, a 0-byte checkpoint, re-run', '0', async ({ cfg, run: dir }) => {
    const config = writeConfig(cfg, [smapiSource()]);
    smapi.faults.every(1, { kind: 'slow', delayMs: 200 });
    let pid = 0;
    const first = runCli(run(config, 'pack'), { cwd: dir, env: env(), onStart: (p) => (pid = p) });
    const reached = await waitFor(() => checkpointCount(dir, 'smapi') >= 1);
    if (pid > 0) process.kill(pid, 'SIGKILL');
    const killed = await first;
    smapi.faults.clear();
    const folder = join(dir, '.pack.partial', '.state', 'windows', 'smapi');
    const names = existsSync(folder) ? readdirSync(folder).filter((n) => n.endsWith('.json')) : [];
    if (names[0]) writeFileSync(join(folder, names[0]), '');
    const again = await runCli(run(config, 'pack'), { cwd: dir, env: env() });
    const loss = lossCheck(join(dir, 'pack'), { smapi: truthFor.smapi() });
    return { runs: [killed, again], exit: `killed, then ${again.code}`, ok: reached && is(again, 0) && loss === 'no', loss, note: `${names.length} checkpoint(s) at the kill; ${firstLine(again.stderr)}` };
  });

  await hostileCase('kill9-render', '1', 'kill -9 while rendering (cloudtrail-files), re-run', '0', async ({ cfg, run: dir }) => {
    const truth = cloudTrailFolder(join(cfg, 'trail'), 'kill-render');
    const config = writeConfig(cfg, [{ type: 'cloudtrail-files', location: 'trail', lateDeliveryMinutes: 60 }]);
    let pid = 0;
    let rendering = false;
    const first = runCli([...run(config, 'pack'), '--log-format', 'json'], { cwd: dir, env: {}, onStart: (p) => (pid = p) });
    // The staging folder's summary.json is the first file rendered.
    rendering = await waitFor(() => existsSync(join(dir, '.pack.partial', 'summary.json')));
    if (pid > 0) process.kill(pid, 'SIGKILL');
    const killed = await first;
    const again = await runCli(run(config, 'pack'), { cwd: dir });
    const loss = lossCheck(join(dir, 'pack'), { 'cloudtrail-files': truth.events.filter((e) => e.time >= START && e.time < END).length });
    return { runs: [killed, again], exit: `killed, then ${again.code}`, ok: rendering && is(again, 0) && loss === 'no', loss };
  });

  await hostileCase('sigterm', '11', 'SIGTERM mid-pull, then re-run', '130, then 0', async ({ cfg, run: dir }) => {
    const config = writeConfig(cfg, [smapiSource()]);
    smapi.faults.every(1, { kind: 'slow', delayMs: 200 });
    let pid = 0;
    const first = runCli(run(config, 'pack'), { cwd: dir, env: env(), onStart: (p) => (pid = p) });
    await waitFor(() => checkpointCount(dir, 'smapi') >= 1);
    if (pid > 0) process.kill(pid, 'SIGTERM');
    const stopped = await first;
    smapi.faults.clear();
    const again = await runCli(run(config, 'pack'), { cwd: dir, env: env() });
    const loss = lossCheck(join(dir, 'pack'), { smapi: truthFor.smapi() });
    return { runs: [stopped, again], exit: `${stopped.code}, then ${again.code}`, ok: is(stopped, 130) && is(again, 0) && loss === 'no', loss, note: firstLine(stopped.stderr) };
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    await hostileCase(`${signal.toLowerCase()}-render`, '11', `${signal} while rendering, then re-run`, '130, then 0', async ({ cfg, run: dir }) => {
      const config = writeConfig(cfg, all());
      let pid = 0;
      const first = runCli(run(config, 'pack'), { cwd: dir, env: env(), onStart: (p) => (pid = p) });
      const rendering = await waitFor(() => existsSync(join(dir, '.pack.partial', 'summary.json')));
      if (pid > 0) process.kill(pid, signal);
      const stopped = await first;
      const noPack = !existsSync(join(dir, 'pack'));
      const again = await runCli(run(config, 'pack'), { cwd: dir, env: env() });
      const loss = lossCheck(join(dir, 'pack'), expectAll());
      return { runs: [stopped, again], exit: `${stopped.code}, then ${again.code}`, ok: rendering && noPack && is(stopped, 130) && is(again, 0) && loss === 'no', loss, note: firstLine(stopped.stderr) };
    });
  }

  await hostileCase('two-runs', '8', 'two runs on one --out at once', '0 and 2', async ({ cfg, run: dir }) => {
    const config = writeConfig(cfg, [smapiSource()]);
    // Answers slow enough that the first run still holds the lock when the second starts.
    smapi.faults.every(1, { kind: 'slow', delayMs: 3000 });
    const first = runCli(run(config, 'pack'), { cwd: dir, env: env() });
    await waitFor(() => existsSync(join(dir, '.pack.lock')));
    const second = await runCli(run(config, 'pack'), { cwd: dir, env: env() });
    smapi.faults.clear();
    const a = await first;
    return { runs: [a, second], exit: `${a.code} and ${second.code}`, ok: is(a, 0) && is(second, 2), loss: lossCheck(join(dir, 'pack'), { smapi: truthFor.smapi() }), note: firstLine(second.stderr) };
  });

  // --- Item 2: --force ---
  const forceCase = async (id: string, name: string, prepare: (dir: string) => { out: string; cwd?: string; env?: Record<string, string>; intact: () => boolean }) =>
    hostileCase(id, '2', name, '2, nothing touched', async ({ cfg, run: dir }) => {
      const config = writeConfig(cfg, [smapiSource()]);
      const p = prepare(dir);
      const r = await runCli(run(config, p.out, ['--force']), { cwd: p.cwd ?? dir, env: { ...env(), ...p.env } });
      return { runs: [r], ok: is(r, 2) && p.intact() };
    });
  await forceCase('force-folder', '--force onto a folder that is not a pack', (dir) => {
    mkdirSync(join(dir, 'documents'));
    writeFileSync(join(dir, 'documents', 'thesis.txt'), 'years of work');
    return { out: 'documents', intact: () => existsSync(join(dir, 'documents', 'thesis.txt')) };
  });
  await forceCase('force-file', '--force onto a file', (dir) => {
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    return { out: 'notes.txt', intact: () => readFileSync(join(dir, 'notes.txt'), 'utf8') === 'keep me' };
  });
  await forceCase('force-dot', '--out . --force', (dir) => {
    writeFileSync(join(dir, 'x'), 'x');
    return { out: '.', intact: () => existsSync(join(dir, 'x')) };
  });
  await forceCase('force-home', '--out $HOME --force', (dir) => {
    mkdirSync(join(dir, 'home'));
    writeFileSync(join(dir, 'home', '.profile'), 'x');
    return { out: join(dir, 'home'), env: { HOME: join(dir, 'home') }, intact: () => existsSync(join(dir, 'home', '.profile')) };
  });

  // --- Items 3 and 5: hostile servers ---
  await hostileCase('drip', '3', 'a server dripping one byte every 50 ms (deadlines 2 s / 6 s)', '1 (INCOMPLETE)', async ({ cfg, run: dir }) => {
    trail.faults.every(1, { kind: 'drip', intervalMs: 50 });
    const r = await runCli(run(writeConfig(cfg, [smapiSource(), trailSource({ concurrency: 1, requestTimeoutMs: 2000, windowTimeoutMs: 6000 })]), 'pack'), { cwd: dir, env: env() });
    const loss = lossCheck(join(dir, 'pack'), { smapi: truthFor.smapi(), 'trail-logs': truthFor.trail() });
    return { runs: [r], ok: is(r, 1) && loss.startsWith('none silent'), loss };
  });
  await hostileCase('drip-1s', '3', 'a server dripping one byte a second, default limits but windowTimeoutMs 20 s', '1 (INCOMPLETE)', async ({ cfg, run: dir }) => {
    trail.faults.every(1, { kind: 'drip', intervalMs: 1000 });
    const r = await runCli(run(writeConfig(cfg, [trailSource({ concurrency: 1, windowTimeoutMs: 20_000 })]), 'pack'), { cwd: dir, env: env() });
    return { runs: [r], ok: is(r, 1), loss: lossCheck(join(dir, 'pack'), { 'trail-logs': truthFor.trail() }) };
  });
  await hostileCase('huge', '3', 'a 2 MiB answer past a 1 MiB cap', '1 (INCOMPLETE)', async ({ cfg, run: dir }) => {
    amplitude.faults.every(1, { kind: 'bad-body', body: 'huge', bytes: 2 * 1024 * 1024 });
    const r = await runCli(run(writeConfig(cfg, [ampSource({ maxResponseBytes: 1024 * 1024 })]), 'pack'), { cwd: dir, env: env() });
    return { runs: [r], ok: is(r, 1), loss: lossCheck(join(dir, 'pack'), { amplitude: truthFor.amplitude() }) };
  });
  await hostileCase('deep', '5', 'JSON nested 100,000 deep in one answer of three sources', '1 (INCOMPLETE), others pulled', async ({ cfg, run: dir }) => {
    smapi.faults.enqueue({ kind: 'bad-body', body: 'deep', depth: 100_000 });
    const r = await runCli(run(writeConfig(cfg, all()), 'pack'), { cwd: dir, env: env() });
    const loss = lossCheck(join(dir, 'pack'), expectAll());
    return { runs: [r], ok: is(r, 1) && loss.startsWith('none silent'), loss };
  });
  await hostileCase('garbage', '5', 'an answer that is not JSON', '1 (INCOMPLETE)', async ({ cfg, run: dir }) => {
    trail.faults.every(1, { kind: 'bad-body', body: 'garbage' });
    const r = await runCli(run(writeConfig(cfg, [trailSource()]), 'pack'), { cwd: dir, env: env() });
    return { runs: [r], ok: is(r, 1), loss: lossCheck(join(dir, 'pack'), { 'trail-logs': truthFor.trail() }) };
  });
  await hostileCase('truncated', '5', 'answers cut in half, and resets, every 3rd request', '0 (retried) or 1', async ({ cfg, run: dir }) => {
    smapi.faults.every(3, { kind: 'truncate' });
    amplitude.faults.every(3, { kind: 'reset' });
    const r = await runCli(run(writeConfig(cfg, [smapiSource(), ampSource()]), 'pack'), { cwd: dir, env: env() });
    const loss = lossCheck(join(dir, 'pack'), { smapi: truthFor.smapi(), amplitude: truthFor.amplitude() });
    return { runs: [r], ok: (is(r, 0) || is(r, 1)) && !loss.startsWith('SILENT'), loss };
  });
  await hostileCase('gzip-bomb', '3', 'a log file of 300 MB that gzips to 300 KB (cap 256 MiB)', '1 (INCOMPLETE)', async ({ cfg, run: dir }) => {
    const truth = cloudTrailFolder(join(cfg, 'trail'), 'bomb');
    const f = truth.files[5];
    const key = f.key.replace(/_[A-Za-z0-9]{16}\.json\.gz$/, '_BOMBBOMBBOMBBOMB.json.gz');
    writeFileSync(join(cfg, 'trail', ...key.split('/')), gzipSync(Buffer.concat([Buffer.from('{"Records":['), Buffer.alloc(300 * 1024 * 1024, 0x20), Buffer.from(']}')]), { level: 9 }));
    const config = writeConfig(cfg, [{ type: 'cloudtrail-files', location: 'trail', lateDeliveryMinutes: 60 }]);
    const wrap = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', 'peak RSS %M KiB'] : [];
    const r = await runCli(run(config, 'pack'), { cwd: dir, wrap });
    const loss = lossCheck(join(dir, 'pack'), { 'cloudtrail-files': truth.events.filter((e) => e.time >= START && e.time < END).length });
    const rss = /peak RSS (\d+) KiB/.exec(r.stderr);
    const coverage = existsSync(join(dir, 'pack', 'coverage.json')) ? readFileSync(join(dir, 'pack', 'coverage.json'), 'utf8') : '';
    return { runs: [r], ok: is(r, 1) && /maxLogFileMiB/.test(coverage), loss, note: `${rss ? `peak RSS ${Math.round(Number(rss[1]) / 1024)} MiB; ` : ''}${firstLine(r.stderr)}` };
  });

  // --- Item 4: credentials ---
  await hostileCase('userpass', '4', 'an endpoint with user:password', '2, not echoed', async ({ cfg, run: dir }) => {
    const url = new URL(smapi.url);
    const r = await runCli(run(writeConfig(cfg, [smapiSource({ endpoint: `http://auditor:${PLANTED.userPass}@${url.host}` })]), 'pack'), { cwd: dir, env: env() });
    return { runs: [r], ok: is(r, 2) && !existsSync(join(dir, 'pack')) };
  });
  await hostileCase('http-remote', '4', 'http:// to another machine', '2', async ({ cfg, run: dir }) => {
    const r = await runCli(run(writeConfig(cfg, [trailSource({ endpoint: 'http://trail.example.com/' })]), 'pack'), { cwd: dir, env: env() });
    return { runs: [r], ok: is(r, 2) };
  });
  await hostileCase('pasted-secret', '4', 'a secret (sk_live_…) pasted into an ...Env field', '2, not echoed', async ({ cfg, run: dir }) => {
    const r = await runCli(run(writeConfig(cfg, [trailSource({ apiKeyEnv: PLANTED.pasted })]), 'pack'), { cwd: dir, env: env() });
    return { runs: [r], ok: is(r, 2) };
  });
  await hostileCase('pasted-hex', '4', 'a 32-hex secret key pasted into secretKeyEnv', '2, not echoed', async ({ cfg, run: dir }) => {
    const r = await runCli(run(writeConfig(cfg, [ampSource({ secretKeyEnv: PLANTED.pastedHex })]), 'pack'), { cwd: dir, env: env() });
    return { runs: [r], ok: is(r, 2) };
  });
  await hostileCase('wrong-key', '4', 'a wrong API key (401)', '3', async ({ cfg, run: dir }) => {
    const r = await runCli(run(writeConfig(cfg, [trailSource()]), 'pack'), { cwd: dir, env: { ...env(), TRAIL_LOGS_API_KEY: `${PLANTED.trailKey}-wrong` } });
    extraSecrets = [`${PLANTED.trailKey}-wrong`];
    return { runs: [r], ok: is(r, 3) };
  });
  await hostileCase('verbose-error', '4', '--verbose on a refused key (stack traces on)', '3', async ({ cfg, run: dir }) => {
    const r = await runCli(run(writeConfig(cfg, [ampSource()]), 'pack', ['--verbose']), { cwd: dir, env: { ...env(), AMPLITUDE_ORG_SECRET_KEY: `${PLANTED.ampSecret}-wrong` } });
    extraSecrets = [`${PLANTED.ampSecret}-wrong`];
    return { runs: [r], ok: is(r, 3) };
  });
  extraSecrets = [];

  // --- Item 6: CloudTrail files ---
  const ctCase = async (id: string, name: string, expected: string, mutate: (trailDir: string, truth: LogFolderTruth) => void, check: (coverageText: string) => boolean, digests = false) =>
    hostileCase(id, '6', name, expected, async ({ cfg, run: dir }) => {
      const truth = cloudTrailFolder(join(cfg, 'trail'), id, { digests, trailStart: digests ? START - 3 * 3_600_000 : START });
      mutate(join(cfg, 'trail'), truth);
      const config = writeConfig(cfg, [{ type: 'cloudtrail-files', location: 'trail', lateDeliveryMinutes: 60, ...(digests ? { verifyDigests: true, publicKeysFile: 'keys.json' } : {}) }]);
      const r = await runCli(run(config, 'pack'), { cwd: dir });
      const coverage = existsSync(join(dir, 'pack', 'coverage.json')) ? readFileSync(join(dir, 'pack', 'coverage.json'), 'utf8') : '';
      const loss = lossCheck(join(dir, 'pack'), { 'cloudtrail-files': truth.events.filter((e) => e.time >= START && e.time < END).length });
      return { runs: [r], ok: is(r, 1) && check(coverage) && !loss.startsWith('SILENT'), loss };
    });
  const p = (trailDir: string, key: string) => join(trailDir, ...key.split('/'));
  await ctCase('ct-renamed', 'a log file renamed (.bak)', '1, naming it', (t, truth) => renameSync(p(t, truth.files[3].key), p(t, truth.files[3].key) + '.bak'), (c) => c.includes('.json.gz.bak is in the trail'));
  await ctCase('ct-plain', 'a log file stored uncompressed', '1, naming it', (t, truth) => writeFileSync(p(t, truth.files[4].key), gunzipSync(readFileSync(p(t, truth.files[4].key)))), (c) => c.includes('is not a valid gzip file'));
  await ctCase('ct-not-records', 'a gzip JSON without Records', '1, naming it', (t, truth) => writeFileSync(p(t, truth.files[6].key), gzipSync('{"records":[]}')), (c) => c.includes('holds no {\\"Records\\"'));
  await ctCase('ct-stray', 'a stray file in the delivery path', '1, naming it', (t, truth) => writeFileSync(p(t, truth.files[2].key.replace(/[^/]+$/, 'notes.txt')), 'x'), (c) => c.includes('notes.txt is in the trail'));
  await ctCase('ct-first-digest', 'the digest covering the first hour deleted (verifyDigests)', '1, naming the digest', (t, truth) => {
    const d = truth.digests.find((x) => x.start <= START && x.end > START)!;
    rmSync(p(t, d.key));
    rmSync(p(t, d.key) + '.metadata.json');
  }, (c) => /is missing \(deleted\?\): no digest covers/.test(c) && !c.includes('LOGGING_GAP'), true);
  await ctCase('ct-prev-digest', 'the digest just before the period deleted (verifyDigests)', '1, naming the digest', (t, truth) => {
    const d = truth.digests.filter((x) => x.end <= START).at(-1)!;
    rmSync(p(t, d.key));
    rmSync(p(t, d.key) + '.metadata.json');
  }, (c) => /is missing \(deleted\?\)/.test(c), true);

  // --- Item 7: duplicates by content ---
  await hostileCase('id-reuse', '7', 'an eventID reused by a different record', '0, both kept', async ({ cfg, run: dir }) => {
    const truth = cloudTrailFolder(join(cfg, 'trail'), 'id-reuse');
    const f = truth.files[2];
    const file = JSON.parse(gunzipSync(readFileSync(p(join(cfg, 'trail'), f.key))).toString()) as { Records: Record<string, unknown>[] };
    const twin = { ...file.Records[0], eventName: 'DeleteBucket', errorCode: 'AccessDenied' };
    const other = truth.files[3];
    const file2 = JSON.parse(gunzipSync(readFileSync(p(join(cfg, 'trail'), other.key))).toString()) as { Records: Record<string, unknown>[] };
    file2.Records.push(twin);
    writeFileSync(p(join(cfg, 'trail'), other.key), gzipSync(JSON.stringify(file2)));
    const r = await runCli(run(writeConfig(cfg, [{ type: 'cloudtrail-files', location: 'trail', lateDeliveryMinutes: 60 }]), 'pack'), { cwd: dir });
    const loss = lossCheck(join(dir, 'pack'), { 'cloudtrail-files': truth.events.filter((e) => e.time >= START && e.time < END).length + 1 });
    return { runs: [r], ok: is(r, 0) && loss === 'no', loss };
  });

  // --- Item 9: verify ---
  const good = join(root, 'good-pack');
  {
    const d = caseDir('good');
    const r = await runCli(run(writeConfig(d.cfg, [smapiSource()]), good), { env: env() });
    if (r.code !== 0) throw new Error(`the pack verify cases need failed: ${r.stderr}`);
  }
  const verifyCase = async (id: string, name: string, mutate: (pack: string) => void) =>
    hostileCase(id, '9', name, '5', async ({ run: dir }) => {
      const pack = join(dir, 'pack');
      execFileSync('cp', ['-r', good, pack]);
      mutate(pack);
      const r = await runCli(['verify', pack], { timeoutMs: 60_000 });
      return { runs: [r], ok: is(r, 5) };
    });
  await verifyCase('verify-fifo', 'verify: a FIFO in the pack', (pack) => execFileSync('mkfifo', [join(pack, 'notes')]));
  await verifyCase('verify-symlink', 'verify: a raw file replaced by a symlink out of the pack (same bytes)', (pack) => {
    const raw = join(pack, 'raw', 'smapi');
    const f = readdirSync(raw)[0];
    copyFileSync(join(raw, f), join(pack, '..', 'outside.gz'));
    rmSync(join(raw, f));
    symlinkSync(join(pack, '..', 'outside.gz'), join(raw, f));
  });
  await verifyCase('verify-resealed', 'verify: summary INCOMPLETE, manifest re-sealed COMPLETE', (pack) => {
    const summary = JSON.parse(readFileSync(join(pack, 'summary.json'), 'utf8')) as Record<string, unknown>;
    summary.complete = false;
    writeFileSync(join(pack, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    const bytes = readFileSync(join(pack, 'summary.json'));
    const manifest = JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string; bytes: number }[] };
    const entry = manifest.files.find((f) => f.path === 'summary.json')!;
    entry.sha256 = createHash('sha256').update(bytes).digest('hex');
    entry.bytes = bytes.length;
    writeFileSync(join(pack, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    writeFileSync(join(pack, MANIFEST_SEAL_FILE), manifestSeal(createHash('sha256').update(readFileSync(join(pack, 'manifest.json'))).digest('hex')));
  });
  await verifyCase('verify-byte', 'verify: one byte of the workbook changed', (pack) => {
    const b = readFileSync(join(pack, 'report.xlsx'));
    b[Math.floor(b.length / 2)] ^= 1;
    writeFileSync(join(pack, 'report.xlsx'), b);
  });

  // --- Item 10: I/O errors ---
  await hostileCase('out-under-file', '10', '--out under a file', '73', async ({ cfg, run: dir }) => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const r = await runCli(run(writeConfig(cfg, [smapiSource()]), join(dir, 'a-file', 'pack')), { env: env() });
    return { runs: [r], ok: is(r, 73) };
  });
  await hostileCase('out-readonly', '10', '--out on a read-only file system (/proc)', '73', async ({ cfg }) => {
    const r = await runCli(run(writeConfig(cfg, [smapiSource()]), '/proc/auditpack-pack'), { env: env() });
    return { runs: [r], ok: is(r, 73) };
  });
  await hostileCase('out-dev-full', '10', '--out under /dev/full (a device, not a folder)', '73', async ({ cfg }) => {
    const r = await runCli(run(writeConfig(cfg, [smapiSource()]), '/dev/full/pack'), { env: env() });
    return { runs: [r], ok: is(r, 73) };
  });
  await hostileCase('out-no-write', '10', '--out in a folder it may not write to (mode 555)', '73 (root: 0)', async ({ cfg, run: dir }) => {
    mkdirSync(join(dir, 'locked'));
    chmodSync(join(dir, 'locked'), 0o555);
    const r = await runCli(run(writeConfig(cfg, [smapiSource()]), join(dir, 'locked', 'pack')), { env: env() });
    chmodSync(join(dir, 'locked'), 0o755);
    const root_ = process.getuid?.() === 0;
    return { runs: [r], ok: root_ ? is(r, 0) || is(r, 73) : is(r, 73), note: root_ ? `running as root: permissions do not stop writes; ${firstLine(r.stderr)}` : undefined };
  });

  // --- Items 12 and 13: up-front checks and limits ---
  await hostileCase('plan-unset', '12', 'plan with a secret unset', '2', async ({ cfg }) => {
    const e = env();
    delete (e as Record<string, string | undefined>)[Object.keys(demoSmapiSetup(smapi).env)[0]];
    const r = await runCli(['plan', '-c', writeConfig(cfg, [smapiSource()]), ...PERIOD.slice(0, 6)], { env: e });
    return { runs: [r], ok: is(r, 2) };
  });
  await hostileCase('second-secret', '12', "run: the second source's secret unset (nothing pulled first)", '2, 0 requests', async ({ cfg, run: dir }) => {
    const before = smapi.requestCount();
    const e = env();
    delete (e as Record<string, string | undefined>).TRAIL_LOGS_API_KEY;
    const r = await runCli(run(writeConfig(cfg, [smapiSource(), trailSource()]), 'pack'), { cwd: dir, env: e });
    const requests = smapi.requestCount() - before;
    return { runs: [r], ok: is(r, 2) && requests === 0, note: `${requests} SMAPI requests; ${firstLine(r.stderr)}` };
  });
  const inputCase = async (id: string, item: string, name: string, args: (config: string) => string[], config?: (cfg: string) => string) =>
    hostileCase(id, item, name, '2', async ({ cfg, run: dir }) => {
      const c = config ? config(cfg) : writeConfig(cfg, [smapiSource()]);
      const r = await runCli(args(c), { cwd: dir, env: env() });
      return { runs: [r], ok: is(r, 2) };
    });
  await inputCase('century', '13', 'a 100-year period', (c) => ['run', '-c', c, '--from', '1926-01-01', '--to', '2025-12-31', '--tz', 'UTC', '--out', 'pack']);
  await inputCase('latin1', '13', 'a Latin-1 requester CSV', (c) => run(c, 'pack'), (cfg) => {
    const c = writeConfig(cfg, [smapiSource()]);
    writeFileSync(join(cfg, 'requesters.csv'), Buffer.from('userId,name,email\nu1,Ana,a@x\nu2,Jos\xe9,j@x\n', 'latin1'));
    return c;
  });
  await inputCase('proto', '13', 'source type "__proto__"', (c) => run(c, 'pack'), (cfg) => {
    writeFileSync(join(cfg, 'c.json'), '{"sources":[{"type":"__proto__"}]}');
    return join(cfg, 'c.json');
  });
  await inputCase('constructor', '13', 'source type "constructor"', (c) => run(c, 'pack'), (cfg) => {
    writeFileSync(join(cfg, 'c.json'), '{"sources":[{"type":"constructor"}]}');
    return join(cfg, 'c.json');
  });
  await inputCase('bad-period', '13', 'period 2026-13', (c) => ['run', '-c', c, '--period', '2026-13', '--out', 'pack']);
  await inputCase('bad-tz', '13', 'time zone Mars/Olympus_Mons', (c) => ['run', '-c', c, '--period', '2026-10', '--tz', 'Mars/Olympus_Mons', '--out', 'pack']);
  await inputCase('inverted', '13', '--from after --to', (c) => ['run', '-c', c, '--from', '2026-10-10', '--to', '2026-10-01', '--out', 'pack']);
  await inputCase('not-json', '13', 'a config file that is not JSON', (c) => run(c, 'pack'), (cfg) => {
    writeFileSync(join(cfg, 'c.json'), '{"sources": [ this is not json');
    return join(cfg, 'c.json');
  });
  await inputCase('no-config', '13', 'a config file that does not exist', () => run('/nonexistent/auditpack.json', 'pack'));
  await inputCase('deep-config', '13', 'a config nested 100,000 deep', (c) => run(c, 'pack'), (cfg) => {
    writeFileSync(join(cfg, 'c.json'), '{"sources":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}');
    return join(cfg, 'c.json');
  });

  // --- Item 14: SMAPI tokens ---
  await hostileCase('smapi-tokens', '14', 'SMAPI expiring 1 nextToken in 40', '0, nothing lost', async ({ cfg, run: dir }) => {
    const emu = await startSmapiEmulator({ seed: 'hostile-tokens', period: { start: START - 2 * DAY, end: END + 2 * DAY }, eventCount: 3000, expireEveryNthToken: 40, lwa: { clientSecret: PLANTED.lwaSecret, refreshToken: PLANTED.lwaRefresh } });
    try {
      const setup = demoSmapiSetup(emu);
      const r = await runCli(run(writeConfig(cfg, [{ ...setup.sourceConfig, pageSize: 20, concurrency: 1 }]), 'pack'), { cwd: dir, env: setup.env });
      const loss = lossCheck(join(dir, 'pack'), { smapi: emu.truth.count({ start: START, end: END }).events });
      return { runs: [r], ok: is(r, 0) && loss === 'no', loss, note: `${emu.stats().expiredNextTokens} tokens expired by the server` };
    } finally {
      await emu.close();
    }
  });

  // --- Item 15: determinism ---
  await hostileCase('locale', '15', 'LANG da_DK vs en_US: summary.json and raw/', 'same', async ({ cfg, run: dir }) => {
    const config = writeConfig(cfg, [smapiSource({ name: 'b' }), smapiSource({ name: 'aa' })]);
    // `--out pack` in two folders: the command line, which summary.json records, is the same.
    mkdirSync(join(dir, 'da'));
    mkdirSync(join(dir, 'en'));
    const a = await runCli(run(config, 'pack'), { cwd: join(dir, 'da'), env: { ...env(), LANG: 'da_DK.UTF-8', LC_ALL: 'da_DK.UTF-8' } });
    const b = await runCli(run(config, 'pack'), { cwd: join(dir, 'en'), env: { ...env(), LANG: 'en_US.UTF-8', LC_ALL: 'en_US.UTF-8' } });
    const same = (f: string) => existsSync(join(dir, 'da', 'pack', f)) && readFileSync(join(dir, 'da', 'pack', f)).equals(readFileSync(join(dir, 'en', 'pack', f)));
    const rawSame = ['aa', 'b'].every((src) => readdirSync(join(dir, 'da', 'pack', 'raw', src)).every((f) => same(join('raw', src, f))));
    const ok = is(a, 0) && is(b, 0) && same('summary.json') && rawSame;
    return { runs: [a, b], exit: `${a.code}, ${b.code}`, ok, note: ok ? 'summary.json and raw/ identical' : 'DIFFERENT' };
  });

  // --- Output conventions ---
  await hostileCase('epipe', '-', 'plan | head -1 (stdout closed early)', '0, no trace', async ({ cfg }) => {
    const config = writeConfig(cfg, [smapiSource()]);
    const r = await new Promise<RunResult>((done) => {
      const child = spawn('/bin/bash', ['-c', `"${process.execPath}" "${CLI}" plan -c "${config}" ${PERIOD.slice(0, 6).join(' ')} | head -1 >/dev/null; exit \${PIPESTATUS[0]}`], { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => done({ code, hang: false, stdout: '', stderr }));
    });
    return { runs: [r], ok: r.code === 0 && !/Error|at /.test(r.stderr) };
  });
}

function print(): void {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '| # | item | case | expected | exit | hang | leak | silent loss | verdict | first line of stderr / note |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r, i) => `| ${i + 1} | ${r.item} | ${esc(r.name)} | ${esc(r.expected)} | ${esc(r.exit)} | ${r.hang ? 'HANG' : 'no'} | ${esc(r.leak)} | ${esc(r.loss)} | ${r.ok ? 'ok' : 'FAIL'} | ${esc(r.note)} |`),
  ];
  const exit70 = rows.filter((r) => /\b70\b/.test(r.exit)).length;
  const hangs = rows.filter((r) => r.hang).length;
  const leaks = rows.filter((r) => r.leak !== 'no').length;
  const losses = rows.filter((r) => /SILENT/.test(r.loss)).length;
  const failed = rows.filter((r) => !r.ok).length;
  lines.push('', `${rows.length} cases: ${exit70} exit-70 endings, ${hangs} hangs, ${leaks} leaks, ${losses} silent losses; ${failed} not as expected.`);
  process.stdout.write(lines.join('\n') + '\n');
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(rows, null, 2) + '\n');
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
