import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, cli, readJson, tempDir } from './harness.js';

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGINT');
});

/** Starts `auditpack emulate` and resolves with what it printed once it is ready. */
function startEmulate(dir: string): Promise<string> {
  return new Promise((resolvePrinted, reject) => {
    const p = spawn(process.execPath, [CLI, 'emulate', '--dir', dir, '--period', '2026-10'], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = p;
    let out = '';
    p.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\nFaults: ')) resolvePrinted(out);
    });
    p.on('exit', (code) => reject(new Error(`emulate exited with ${code}: ${out}`)));
  });
}

describe('auditpack emulate', () => {
  it('prints credentials a shell can paste, and a config that a real run completes against', async () => {
    const dir = tempDir();
    const printed = await startEmulate(dir);
    const exports = printed.split('\n').filter((l) => l.startsWith('  export ')).map((l) => l.trim());
    expect(exports.length).toBeGreaterThanOrEqual(5);
    // Each line pasted into a POSIX shell sets exactly the variable it names (a `|` in a token
    // is not a pipe, a quote is not a syntax error).
    const script = `${exports.join('\n')}\nenv -0`;
    const env = Object.fromEntries(
      execFileSync('sh', ['-c', script], { env: {}, encoding: 'utf8' })
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    expect(env.AUDITPACK_DEMO_LWA_REFRESH_TOKEN).toMatch(/^Atzr\|/);

    const config = printed.match(/^Config: (.+)$/m)?.[1];
    expect(config).toBe(join(dir, 'auditpack.demo.json'));
    const out = join(tempDir(), 'pack');
    // The period's first week, not the month the emulators hold: what is checked is that a real run
    // completes against the printed config and credentials, which a week shows at a quarter of the work.
    const r = await cli(['run', '-c', config!, '--from', '2026-10-01', '--to', '2026-10-07', '--tz', 'America/New_York', '--out', out, '--json'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = await readJson<{ complete: boolean; totals: { events: number } }>(join(out, 'summary.json'));
    expect(summary.complete).toBe(true);
    expect(summary.totals.events).toBeGreaterThan(1000);
  });
});
