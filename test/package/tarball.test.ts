import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * The package as a user gets it: `npm pack` of this checkout (dist/ is what `npm test` just
 * compiled; `prepack` rebuilds it for a real publish), installed into an empty folder from npm's
 * cache (no network but the registry), then its bin run from there.
 */
describe('the npm package', () => {
  const work = mkdtempSync(join(tmpdir(), 'ap-tarball-'));
  // The install is ~18,000 files: removed by a detached process, so the suite does not wait on the disk.
  afterAll(() => {
    spawn(process.execPath, ['-e', `require('node:fs').rmSync(${JSON.stringify(work)}, { recursive: true, force: true })`], { detached: true, stdio: 'ignore' }).unref();
  });
  let tarball = '';

  it('ships only what runs: compiled sources, templates, the config schema, docs, LICENSE and README', async () => {
    // --ignore-scripts: prepack's rebuild would only repeat the compile `npm test` starts with.
    const { stdout } = await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
    const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, info.filename);
    const files = info.files.map((f) => f.path).sort();
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(files).toContain('package.json');
    expect(files).toContain('schema/auditpack.schema.json');
    expect(files).toContain('dist/src/cli/main.js');
    expect(files.filter((f) => f.startsWith('templates/'))).toEqual(['templates/auditor-handoff.json', 'templates/failed-operations.json', 'templates/rules/catalogue.json', 'templates/soc2-monthly.json']);
    expect(files).toContain('docs/ARCHITECTURE.md');
    // No test, bench or source map (maps would point at .ts sources that are not shipped).
    const stray = files.filter((f) => !/^(LICENSE|README\.md|package\.json|dist\/src\/.+\.js|templates\/.+\.json|schema\/.+\.json|docs\/.+\.(md|ya?ml))$/.test(f));
    expect(stray).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|bench)\/|\.test\.|\.map$/.test(f))).toEqual([]);
  });

  it('installs into an empty folder and runs `auditpack --help` and `auditpack demo` from there', async () => {
    expect(tarball).not.toBe('');
    const app = join(work, 'app');
    rmSync(app, { recursive: true, force: true });
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'tarball-check', private: true }));
    // --prefer-offline: every dependency comes from npm's cache when it is there (`npm ci` filled it).
    await run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', tarball], { cwd: app, maxBuffer: 16 << 20 });
    const bin = join(app, 'node_modules', '.bin', process.platform === 'win32' ? 'auditpack.cmd' : 'auditpack');
    // The installed bin, not this checkout: cwd is the empty folder, nothing of the repository on the path.
    const env = process.env;
    const help = await run(bin, ['--help'], { cwd: app, env });
    expect(help.stdout).toMatch(/auditpack <command> \[options\]/);
    expect(help.stdout).toMatch(/Exit codes:/);
    const templates = await run(bin, ['templates'], { cwd: app, env });
    expect(templates.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual(['auditor-handoff', 'failed-operations', 'soc2-monthly']);
    // One ended day, not the default month: what is checked is that the installed package runs the
    // whole demo (every emulator, pull, render, seal), which a day shows at a fraction of the work.
    const day = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    // Dated after the day and the sources' delivery delays (an earlier pack is INCOMPLETE).
    const at = `${new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10)}T09:00:00Z`;
    const demo = await run(bin, ['demo', '--template', 'soc2-monthly', '--period', day, '--tz', 'UTC', '--out', 'reports', '--generated-at', at], { cwd: app, env, maxBuffer: 16 << 20 });
    expect(demo.stdout).toMatch(/auditpack demo: \d+ emulated sources/);
    // stderr is a pipe here, as in CI: a plain progress line at each stage change (issue: `auditpack demo 2>log`).
    expect(demo.stderr).toMatch(/^progress: pull · windows 0\/\d+/m);
    expect(demo.stderr).toMatch(/^progress: pull · windows (\d+)\/\1 .* · done in /m);
    expect(demo.stderr).toMatch(/^progress: render report\.xlsx · rows /m);
    expect(demo.stderr).toMatch(/^progress: seal \(manifest\) · done in /m);
    expect(demo.stderr).not.toMatch(/\r|\x1b\[/);
    const [pack] = readdirSync(join(app, 'reports')).filter((d) => d.startsWith('soc2-monthly-'));
    expect(readdirSync(join(app, 'reports', pack)).sort()).toEqual(expect.arrayContaining(['coverage.json', 'manifest.json', 'manifest.sha256', 'report.pdf', 'report.xlsx', 'summary.json']));
    const verify = await run(bin, ['verify', join('reports', pack)], { cwd: app, env });
    expect(verify.stdout).toMatch(/^OK: \d+ files match the manifest .*COMPLETE/);
  }, 600_000);
});
