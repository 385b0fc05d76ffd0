import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { cli } from './harness.js';

const PAGE = readFileSync(resolve(import.meta.dirname, '../../docs/ci.md'), 'utf8');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Workflow {
  on: { schedule: { cron: string }[]; workflow_dispatch?: { inputs?: Record<string, { default?: string }> } };
  permissions: Record<string, string>;
  jobs: Record<string, { env?: Record<string, string>; steps: Step[] }>;
}

/** Values a run would give the workflow's expressions: inputs' defaults, a placeholder per secret. */
function evaluate(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    const secret = /^secrets\.(\w+)$/.exec(expr);
    if (secret) return `secret-${secret[1]}`;
    const input = /^inputs\.(\w+)(?:\s*\|\|\s*'([^']*)')?$/.exec(expr);
    if (input) return inputs[input[1]] ?? input[2] ?? '';
    return `expr`;
  });
}

/** A shell line's words after $VAR expansion, quotes removed (what the recipes use: no globs, no subshells in auditpack lines). */
function words(line: string, env: Record<string, string>): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) {
    const raw = m[1] ?? m[2] ?? m[3];
    out.push(m[2] !== undefined ? raw : raw.replace(/\$\{?(\w+)\}?/g, (_, v: string) => env[v] ?? ''));
  }
  return out;
}

/** Every `npx auditpack …` command in a shell line, with the VAR=value assignments just before it. */
function auditpackCommands(line: string, env: Record<string, string>): { args: string[]; env: Record<string, string> }[] {
  const out: { args: string[]; env: Record<string, string> }[] = [];
  for (const segment of line.split(/&&|\|\||;|>>?|\|/)) {
    const w = words(segment.trim(), env);
    const at = w.findIndex((x, i) => x === 'auditpack' && w[i - 1] === 'npx');
    if (at === -1) continue;
    const assigned = Object.fromEntries(w.slice(0, at - 1).filter((x) => /^[A-Z_]+=/.test(x)).map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)]));
    out.push({ args: w.slice(at + 1), env: assigned });
  }
  return out;
}

async function expectAccepted(args: string[], env: Record<string, string>, where: string): Promise<void> {
  const r = await cli(args, { env: { ...env, AUDITPACK_CHECK_ARGS: '1' } });
  expect({ where, args, code: r.code, stderr: r.stderr }).toEqual({ where, args, code: 0, stderr: '' });
  expect(r.stdout).toBe('auditpack: command line accepted\n');
}

describe('docs/ci.md: the monthly job recipes', () => {
  const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(PAGE)?.[1] ?? '';
  const workflow = parse(yamlBlock) as Workflow;
  const [job] = Object.values(workflow.jobs);
  const inputs = Object.fromEntries(Object.entries(workflow.on.workflow_dispatch?.inputs ?? {}).map(([k, v]) => [k, v.default ?? '']));

  it('is a workflow scheduled early each month, with OIDC role assumption, secrets, an artifact and an Object Lock copy', () => {
    const [day] = workflow.on.schedule.map((s) => s.cron.split(' ')).map(([, , dom, mon, dow]) => [Number(dom), mon, dow]);
    expect(day[0]).toBeGreaterThanOrEqual(1);
    expect(day[0]).toBeLessThanOrEqual(5);
    expect(day.slice(1)).toEqual(['*', '*']);
    expect(workflow.permissions['id-token']).toBe('write');
    const aws = job.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(aws?.with?.['role-to-assume']).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(aws?.with).not.toHaveProperty('aws-access-key-id');
    const secrets = job.steps.flatMap((s) => Object.values(s.env ?? {})).filter((v) => /\$\{\{\s*secrets\./.test(v));
    expect(secrets.length).toBeGreaterThan(0);
    expect(job.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true);
    expect(job.steps.some((s) => /aws s3 cp .*s3:\/\/.*--checksum-algorithm/.test(s.run ?? ''))).toBe(true);
    expect(PAGE).toMatch(/put-object-lock-configuration[\s\S]*"Mode":"COMPLIANCE"/);
  });

  it('every auditpack command line in the workflow is accepted by the CLI', async () => {
    const jobEnv = Object.fromEntries(Object.entries(job.env ?? {}).map(([k, v]) => [k, evaluate(String(v), inputs)]));
    const commands = job.steps.flatMap((s) => {
      const env = { ...jobEnv, ...Object.fromEntries(Object.entries(s.env ?? {}).map(([k, v]) => [k, evaluate(String(v), inputs)])) };
      return (s.run ?? '').split('\n').flatMap((line) => auditpackCommands(evaluate(line, inputs), env).map((c) => ({ ...c, env: { ...env, ...c.env } })));
    });
    expect(commands.map((c) => c.args[0])).toEqual(['run', 'verify']);
    for (const c of commands) await expectAccepted(c.args, c.env, 'workflow');
  });

  it('every auditpack command line of the cron example is accepted by the CLI', async () => {
    const block = /```sh\n(#[^\n]*crontab|# m h dom[\s\S]*?)```/.exec(PAGE)?.[1] ?? '';
    const line = block.split('\n').find((l) => /^[\d*]/.test(l)) ?? '';
    expect(line.split(' ').slice(0, 5)).toEqual(['0', '6', '2', '*', '*']);
    const commands = auditpackCommands(line.split(' ').slice(5).join(' '), {});
    expect(commands.map((c) => c.args[0])).toEqual(['run', 'verify']);
    for (const c of commands) await expectAccepted(c.args, c.env, 'cron');
  });

  it('a mistyped flag in a recipe would be caught', async () => {
    const r = await cli(['run', '--perid', 'last-month'], { env: { AUDITPACK_CHECK_ARGS: '1' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did you mean --period/);
  });
});
