import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { expectCleanFailure } from './expect-clean-failure.js';
import { cli, smapiFixture, tempDir, type SmapiFixture } from './harness.js';

let fx: SmapiFixture;
const period = ['--from', '2026-10-01', '--to', '2026-10-02', '--tz', 'UTC'];

beforeAll(async () => {
  fx = await smapiFixture({ seed: 'cli', period: { start: Date.parse('2026-09-30T00:00:00Z'), end: Date.parse('2026-10-04T00:00:00Z') }, eventCount: 300 });
});
afterAll(async () => {
  await fx.close();
});

function writeConfig(name: string, edit: (c: Record<string, unknown> & { sources: Record<string, unknown>[] }) => void): string {
  const c = JSON.parse(readFileSync(fx.configFile, 'utf8')) as Record<string, unknown> & { sources: Record<string, unknown>[] };
  edit(c);
  const file = join(fx.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(c));
  return file;
}


describe('auditpack CLI: bad input gets one clear line and a documented exit code', () => {
  it('demo with a template that does not exist → 2, before any emulator or setup file', async () => {
    const cwd = tempDir();
    expectCleanFailure(await cli(['demo', '--template', './nope.json', '--out', join(cwd, 'r')], { cwd }), 2, /nope\.json: file not found/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('an unknown period format → 2', async () => {
    const out = join(tempDir(), 'p');
    expectCleanFailure(await cli(['run', '-c', fx.configFile, '--period', 'October', '--out', out], { env: fx.env }), 2, /unknown period format "October" — use YYYY-MM/, out);
  });

  it('an unknown time zone → 2', async () => {
    expectCleanFailure(await cli(['run', '-c', fx.configFile, '--period', '2026-10', '--tz', 'Mars/Olympus'], { env: fx.env }), 2, /unknown time zone "Mars\/Olympus"/);
  });

  it('a config without vendorId → 2, naming the field', async () => {
    const file = writeConfig('no-vendor', (c) => delete c.sources[0].vendorId);
    expectCleanFailure(await cli(['run', '-c', file, ...period], { env: fx.env }), 2, /sources\[0\]\.vendorId/);
  });

  it('malformed config JSON → 2, with line and column', async () => {
    const file = join(fx.dir, 'broken.json');
    writeFileSync(file, '{\n  "organization": "x",\n  "sources": [\n}\n');
    expectCleanFailure(await cli(['run', '-c', file, ...period]), 2, /not valid JSON at line 4 column 1/);
  });

  it('an unknown key in the config → 2', async () => {
    const file = writeConfig('unknown-key', (c) => (c.timezon = 'UTC'));
    expectCleanFailure(await cli(['run', '-c', file, ...period], { env: fx.env }), 2, /unknown key "timezon"/);
  });

  it('a named environment variable that is unset → 2, naming it', async () => {
    const env = { ...fx.env };
    const missing = Object.keys(env)[0];
    const out = join(tempDir(), 'p');
    const r = await cli(['run', '-c', fx.configFile, ...period, '--out', out], { env: { ...env, [missing]: '' } });
    expectCleanFailure(r, 2, new RegExp(`environment variable ${missing} .*is not set`), out);
  });

  it('403 from the API → 3, and no pack', async () => {
    const file = writeConfig('forbidden', (c) => (c.sources[0].vendorId = 'M1FORBIDDENVNDR'));
    const out = join(tempDir(), 'p');
    expectCleanFailure(await cli(['run', '-c', file, ...period, '--out', out], { env: fx.env }), 3, /not (permitted|authorized)/i, out);
  });

  it('an unreachable endpoint → 4, and no pack', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const file = writeConfig('unreachable', (c) => {
      c.sources[0].endpoint = `http://127.0.0.1:${port}`;
      (c.sources[0].auth as Record<string, unknown>).tokenEndpoint = `http://127.0.0.1:${port}/auth/o2/token`;
    });
    const out = join(tempDir(), 'p');
    expectCleanFailure(await cli(['run', '-c', file, ...period, '--out', out], { env: fx.env }), 4, new RegExp(`127\\.0\\.0\\.1:${port}`), out);
  }, 90_000);

  it('no command, or an unknown option → 2', async () => {
    expect((await cli([])).code).toBe(2);
    const r = await cli(['run', '--perod', '2026-10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^auditpack: unknown option --perod — --perod: did you mean --period\? see auditpack run --help\n?$/);
  });

  it('--verbose shows the stack', async () => {
    const r = await cli(['run', '-c', fx.configFile, '--period', 'October', '--verbose'], { env: fx.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('--help lists the commands and the exit codes', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['run', 'plan', 'verify', 'demo', 'emulate', 'templates', 'Exit codes']) expect(r.stdout).toContain(word);
    // Every code the error boundary can return is explained, and the README's table says the same.
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const code of Object.values(EXIT)) {
      expect(r.stdout).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
      expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
    }
  });
});

describe('auditpack run, plan and verify', () => {
  let pack: string;
  const keys = { private: '', public: '', other: '' };
  beforeAll(async () => {
    const dir = tempDir('ap-keys-');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    keys.private = join(dir, 'signing.pem');
    keys.public = join(dir, 'public.pem');
    keys.other = join(dir, 'other.pem');
    writeFileSync(keys.private, ec.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(keys.public, ec.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(keys.other, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
    pack = join(tempDir(), 'pack');
    const r = await cli(['run', '-c', fx.configFile, ...period, '--out', pack, '--json', '--generated-at', '2026-11-02T09:00:00Z', '--sign-key', keys.private], { env: fx.env });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { status: string; totals: { events: number } };
    expect(json.status).toBe('COMPLETE');
    expect(json.totals.events).toBe(fx.emulator.truth.count({ start: Date.parse('2026-10-01T00:00:00Z'), end: Date.parse('2026-10-03T00:00:00Z') }).events);
  });

  it('plan shows the windows in local time and UTC without any request', async () => {
    const before = fx.emulator.stats().apiRequests;
    const r = await cli(['plan', '-c', fx.configFile, '--period', '2026-10', '--tz', 'America/New_York'], { env: fx.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2026-10-01T00:00:00-04:00 → 2026-10-02T00:00:00-04:00');
    expect(r.stdout).toContain('UTC 2026-10-01T04:00Z');
    expect(r.stdout).toMatch(/31 windows/);
    expect(fx.emulator.stats().apiRequests).toBe(before);
  });

  it('verify passes on an untouched pack', async () => {
    const r = await cli(['verify', pack]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK: \d+ files match the manifest/m);
  });

  it('verify fails when one byte of any file changes, a file is missing, or one is added', async () => {
    const files = ['summary.json', 'coverage.json', 'report.pdf', 'report.xlsx', ...readdirSync(join(pack, 'raw', 'smapi')).map((f) => `raw/smapi/${f}`)];
    for (const f of files.slice(0, 5)) {
      const path = join(pack, f);
      const original = readFileSync(path);
      const changed = Buffer.from(original);
      changed[Math.floor(changed.length / 2)] ^= 0x01;
      writeFileSync(path, changed);
      const r = await cli(['verify', pack]);
      expect(r.code, f).toBe(5);
      expect(r.stdout).toContain(`CHANGED  ${f}`);
      writeFileSync(path, original);
    }
    const raw = join(pack, files[4]);
    const bytes = readFileSync(raw);
    rmSync(raw);
    expect((await cli(['verify', pack])).stdout).toContain(`MISSING  ${files[4]}`);
    writeFileSync(raw, bytes);
    appendFileSync(join(pack, 'notes.txt'), 'added later');
    const r = await cli(['verify', pack]);
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('EXTRA    notes.txt');
    rmSync(join(pack, 'notes.txt'));
    expect((await cli(['verify', pack])).code).toBe(0);
  });

  it('verify fails when the manifest itself or its seal changes by one byte, or the seal is missing', async () => {
    const manifestPath = join(pack, 'manifest.json');
    const sealPath = join(pack, 'manifest.sha256');
    const manifest = readFileSync(manifestPath);
    const seal = readFileSync(sealPath);
    expect(seal.toString()).toMatch(/^[0-9a-f]{64} {2}manifest\.json\n$/);

    // A one-byte edit that keeps the JSON valid: COMPLETE → COMPLETF.
    writeFileSync(manifestPath, manifest.toString().replace('"status": "COMPLETE"', '"status": "COMPLETF"'));
    let r = await cli(['verify', pack]);
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('CHANGED  manifest.json');
    // Every byte position matters, including the ones that break the JSON.
    for (const at of [0, Math.floor(manifest.length / 2), manifest.length - 1]) {
      const changed = Buffer.from(manifest);
      changed[at] ^= 0x01;
      writeFileSync(manifestPath, changed);
      r = await cli(['verify', pack]);
      expect(r.code, `manifest byte ${at}`).toBe(5);
    }
    writeFileSync(manifestPath, manifest);

    const changedSeal = Buffer.from(seal);
    changedSeal[3] = changedSeal[3] === 0x30 ? 0x31 : 0x30;
    writeFileSync(sealPath, changedSeal);
    expect((await cli(['verify', pack])).code).toBe(5);
    writeFileSync(sealPath, seal);

    rmSync(sealPath);
    r = await cli(['verify', pack]);
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('MISSING  manifest.sha256');
    writeFileSync(sealPath, seal);
    expect((await cli(['verify', pack])).code).toBe(0);
  });

  it('a signed pack verifies with --key and with openssl; one changed byte in manifest.json fails both', async () => {
    const manifestPath = join(pack, 'manifest.json');
    const manifest = readFileSync(manifestPath);
    const stated = (JSON.parse(manifest.toString()) as { signature?: { keyFingerprint: string; algorithm: string } }).signature;
    expect(stated?.algorithm).toBe('ECDSA P-256 SHA-256');
    let r = await cli(['verify', pack, '--key', keys.public]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`SIGNED   manifest.sig is valid under key ${stated?.keyFingerprint}`);
    // Without --key the signature is reported, not checked; with another key it fails.
    expect((await cli(['verify', pack])).stdout).toContain('not checked (give --key PUBLIC.pem)');
    r = await cli(['verify', pack, '--key', keys.other]);
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/BAD SIG .*signed with another key/);

    const openssl = '/usr/bin/openssl';
    const readme = readFileSync(join(pack, 'README.txt'), 'utf8');
    const command = /^\s*(openssl dgst -sha256 -verify \S+ -signature manifest\.sig manifest\.json)$/m.exec(readme)?.[1];
    expect(command, 'README.txt gives the openssl command').toBeDefined();
    const runOpenssl = () => {
      try {
        execFileSync(openssl, command!.replace('public.pem', keys.public).split(' ').slice(1), { cwd: pack, stdio: 'pipe' });
        return true;
      } catch {
        return false;
      }
    };
    if (existsSync(openssl)) expect(runOpenssl()).toBe(true);

    const changed = Buffer.from(manifest);
    changed[Math.floor(changed.length / 2)] ^= 0x01;
    writeFileSync(manifestPath, changed);
    try {
      r = await cli(['verify', pack, '--key', keys.public]);
      expect(r.code).toBe(5);
      if (existsSync(openssl)) expect(runOpenssl()).toBe(false);
    } finally {
      writeFileSync(manifestPath, manifest);
    }
    expect((await cli(['verify', pack, '--key', keys.public])).code).toBe(0);
  });

  it('a signing key that is not Ed25519 or P-256 is refused before any request', async () => {
    const rsa = join(tempDir('ap-keys-'), 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const before = fx.emulator.stats().apiRequests;
    const out = join(tempDir(), 'never');
    expectCleanFailure(await cli(['run', '-c', fx.configFile, ...period, '--out', out, '--sign-key', rsa], { env: fx.env }), 2, /Ed25519 or ECDSA P-256/, out);
    expect(fx.emulator.stats().apiRequests).toBe(before);
  });

  it('a pack dated before the period ends is INCOMPLETE (exit 1) and says why, in the manifest and README.txt', async () => {
    const early = join(tempDir(), 'early');
    const r = await cli(['run', '-c', fx.configFile, ...period, '--out', early, '--generated-at', '2026-10-02T12:00:00Z'], { env: fx.env });
    expect(r.code).toBe(EXIT.incomplete);
    expect(r.stdout).toMatch(/INCOMPLETE evidence pack/);
    expect(r.stdout).toContain('smapi delivery check failed: generated too early: the pack is dated 2026-10-02T12:00:00.000Z, before the period ends (2026-10-03T00:00:00.000Z)');
    const manifest = JSON.parse(readFileSync(join(early, 'manifest.json'), 'utf8')) as { status: string; incompleteReasons: string[] };
    expect(manifest.status).toBe('INCOMPLETE');
    expect(manifest.incompleteReasons.join('\n')).toMatch(/before the period ends/);
    expect(readFileSync(join(early, 'README.txt'), 'utf8')).toMatch(/INCOMPLETE BECAUSE\n\n  - smapi delivery check failed/);
  });

  it('refuses to overwrite a pack without --force', async () => {
    const r = await cli(['run', '-c', fx.configFile, ...period, '--out', pack], { env: fx.env });
    expectCleanFailure(r, 2, /already exists.*--force/);
  });

  it('verify on a folder that is not a pack → 2', async () => {
    expectCleanFailure(await cli(['verify', fx.dir]), 2, /no readable manifest\.json/);
  });
});
