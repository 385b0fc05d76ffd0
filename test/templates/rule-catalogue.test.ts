import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditpackError, EXIT } from '../../src/errors.js';
import { createRuleEngine } from '../../src/rules/engine.js';
import type { RuleSpec } from '../../src/rules/rule-spec.js';
import { listBuiltinTemplates, loadCatalogue, loadTemplate } from '../../src/templates/load-template.js';
import { expectCleanFailure } from '../e2e/expect-clean-failure.js';
import { cli, tempDir } from '../e2e/harness.js';
import { EMPTY_LEDGER, TEMPLATES_DIR, ct, ev } from '../rules/fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'auditpack-catalogue-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ownRule = {
  id: 'prod-skill-deleted',
  type: 'match',
  title: 'Production skill deleted',
  severity: 'critical',
  control: 'CC8.1',
  reason: 'The production skill was deleted; this needs a change ticket.',
  match: { operationName: 'deleteSkill', resource: 'amzn1.ask.skill.prod', outcome: 'success' },
};

async function userTemplate(name: string, rules: unknown[], samples: unknown[] = []): Promise<string> {
  const file = path.join(dir, name);
  const t = { name: 'mine', description: 'Mine', title: 'Mine', primaryOutput: 'pdf', sections: ['cover', 'exceptions'], pdfExceptionLimit: 10, rules, samples };
  await writeFile(file, JSON.stringify(t, null, 2));
  return file;
}

async function refusal(file: string): Promise<string> {
  try {
    await loadTemplate(file, TEMPLATES_DIR);
  } catch (e) {
    expect(e).toBeInstanceOf(AuditpackError);
    expect((e as AuditpackError).code).toBe('TEMPLATE_INVALID');
    expect((e as AuditpackError).exitCode).toBe(EXIT.badInput);
    return (e as AuditpackError).message;
  }
  throw new Error(`${file} loaded`);
}

/** Every object with a "type" anywhere in a template's rules: a rule defined in that file. */
function inlineRuleIds(rules: unknown[]): string[] {
  return rules.filter((r): r is { id: string; type: string } => typeof r === 'object' && r !== null && 'type' in r).map((r) => r.id);
}

describe('the rule catalogue: each built-in rule defined once', async () => {
  const catalogue = await loadCatalogue(TEMPLATES_DIR);
  const builtins = (await listBuiltinTemplates(TEMPLATES_DIR)).map((t) => t.name);

  it('holds the 33 built-in rules, each id once', async () => {
    const raw = JSON.parse(await readFile(path.join(TEMPLATES_DIR, 'rules', 'catalogue.json'), 'utf8')) as { rules: { id: string }[] };
    const ids = raw.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(catalogue.size).toBe(33);
  });

  it('no template file defines a rule: every built-in names catalogue rules by id', async () => {
    const files = (await readdir(TEMPLATES_DIR)).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(['auditor-handoff.json', 'failed-operations.json', 'soc2-monthly.json']);
    for (const f of files) {
      const raw = JSON.parse(await readFile(path.join(TEMPLATES_DIR, f), 'utf8')) as { rules: unknown[] };
      expect(inlineRuleIds(raw.rules), `${f} defines rules inline`).toEqual([]);
      for (const entry of raw.rules) {
        const id = typeof entry === 'string' ? entry : (entry as { id: string }).id;
        expect(catalogue.has(id), `${f} names ${id}`).toBe(true);
      }
    }
  });

  it('soc2-monthly and auditor-handoff name all 33 by id and run them exactly as the catalogue defines them', async () => {
    for (const name of ['soc2-monthly', 'auditor-handoff']) {
      const raw = JSON.parse(await readFile(path.join(TEMPLATES_DIR, `${name}.json`), 'utf8')) as { rules: unknown[] };
      expect(raw.rules.every((r) => typeof r === 'string')).toBe(true);
      const t = await loadTemplate(name, TEMPLATES_DIR);
      expect(t.rules).toEqual([...catalogue.values()]);
    }
    const failed = await loadTemplate('failed-operations', TEMPLATES_DIR);
    for (const r of failed.rules) expect(r).toEqual(catalogue.get(r.id));
  });

  it('every catalogue rule is used by a built-in template', async () => {
    const used = new Set<string>();
    for (const name of builtins) for (const r of (await loadTemplate(name, TEMPLATES_DIR)).rules) used.add(r.id);
    expect([...catalogue.keys()].filter((id) => !used.has(id))).toEqual([]);
  });
});

describe("a template's references: overrides", () => {
  it('changes severity and parameters of a catalogue rule and leaves the rest as defined', async () => {
    const catalogue = await loadCatalogue(TEMPLATES_DIR);
    const file = await userTemplate('override.json', [
      'access-denied',
      { id: 'failure-burst', severity: 'critical', params: { threshold: 3 } },
      { id: 'iam-user-created', params: { match: { operation: 'CreateUser', account: '111111111111' } } },
      { id: 'cloudtrail-quiet-period', severity: 'low' },
    ]);
    const t = await loadTemplate(file, TEMPLATES_DIR);
    const [denied, burst, iam, quiet] = t.rules;
    expect(denied).toEqual(catalogue.get('access-denied'));
    expect(burst).toEqual({ ...catalogue.get('failure-burst'), severity: 'critical', threshold: 3 });
    expect(burst).toMatchObject({ type: 'burst', windowMinutes: 10, title: 'Burst of failures by one requester' });
    expect(iam).toEqual({ ...catalogue.get('iam-user-created'), match: { operation: 'CreateUser', account: '111111111111' } });
    expect(quiet).toMatchObject({ severity: 'low', minHours: 24 });
    // The catalogue itself is untouched by a template's overrides.
    expect(catalogue.get('failure-burst')).toMatchObject({ severity: 'high', threshold: 10 });
    expect((await loadCatalogue(TEMPLATES_DIR)).get('failure-burst')).toMatchObject({ severity: 'high', threshold: 10 });
  });

  it('the engine runs the overridden rule: 3 failures within 10 minutes now make a critical burst', async () => {
    const t = await loadTemplate(await userTemplate('burst3.json', [{ id: 'failure-burst', severity: 'critical', params: { threshold: 3 } }]), TEMPLATES_DIR);
    const stock = await loadTemplate(await userTemplate('burst10.json', ['failure-burst']), TEMPLATES_DIR);
    const failures = [0, 2, 4].map((m) => ev({ time: Date.UTC(2026, 9, 14, 15, m), outcome: 'failure', responseCode: '403' }));
    const run = (rules: RuleSpec[]) => {
      const engine = createRuleEngine(rules, { timeZone: 'UTC', directory: null, businessHours: null });
      return [...failures.flatMap((e) => engine.onEvent(e)), ...engine.finish(EMPTY_LEDGER)];
    };
    expect(run(t.rules).map((r) => [r.ruleId, r.severity])).toEqual([['failure-burst', 'critical']]);
    expect(run(stock.rules)).toEqual([]);
  });

  it('a user template mixes catalogue ids with rules of its own, and samples may name both', async () => {
    const file = await userTemplate('mixed.json', ['iam-user-created', ownRule], [{ population: 'Changes', rules: ['iam-user-created', 'prod-skill-deleted'] }]);
    const t = await loadTemplate(file, TEMPLATES_DIR);
    expect(t.rules.map((r) => r.id)).toEqual(['iam-user-created', 'prod-skill-deleted']);
    const engine = createRuleEngine(t.rules, { timeZone: 'UTC', directory: null, businessHours: null });
    expect(engine.onEvent(ct({ operation: 'CreateUser' })).map((r) => r.ruleId)).toEqual(['iam-user-created']);
    expect(engine.onEvent(ev({ operation: 'deleteSkill.v1', resources: [{ id: 'amzn1.ask.skill.prod', type: 'Skill' }] })).map((r) => r.ruleId)).toEqual([
      'prod-skill-deleted',
    ]);
  });
});

describe('bad references: one line naming the place and what to do', () => {
  it('an unknown id suggests the nearest catalogue id', async () => {
    expect(await refusal(await userTemplate('typo.json', ['acess-denied']))).toMatch(
      /typo\.json: rules\[0\]: expected the id of a catalogue rule \("acess-denied" is not one; did you mean "access-denied"\?\), or a rule of your own with a "type"$/,
    );
    expect(await refusal(await userTemplate('typo2.json', ['access-denied', { id: 'failure-brust', severity: 'low' }]))).toMatch(
      /rules\[1\]\.id: expected the id of a catalogue rule \("failure-brust" is not one; did you mean "failure-burst"\?\)/,
    );
    expect(await refusal(await userTemplate('far.json', ['quantum-flux']))).toMatch(/"quantum-flux" is not one\), or a rule of your own/);
  });

  it('a rule of its own under a catalogue id is refused: name the catalogue rule instead', async () => {
    expect(await refusal(await userTemplate('shadow.json', [{ ...ownRule, id: 'access-denied' }]))).toMatch(
      /rules\[0\]\.id: expected an id the catalogue does not use \("access-denied" is a catalogue rule: name it as "access-denied"/,
    );
  });

  it('parameters the rule type does not take, bad parameter values and bad severities point into the reference', async () => {
    expect(await refusal(await userTemplate('p1.json', [{ id: 'access-denied', params: { threshold: 3 } }]))).toMatch(
      /rules\[0\]\.params\.threshold: expected a parameter of "access-denied" \(a match rule takes match, subject, onePerSubject\)/,
    );
    expect(await refusal(await userTemplate('p2.json', [{ id: 'failure-burst', params: { threshold: 1 } }]))).toMatch(/rules\[0\]\.params\.threshold: expected a number at least 2, got 1/);
    expect(await refusal(await userTemplate('p3.json', [{ id: 'iam-user-created', params: { match: { operation: { regex: '(' } } } }]))).toMatch(
      /rules\[0\]\.params\.match\.operation\.regex: expected a valid regular expression/,
    );
    expect(await refusal(await userTemplate('p4.json', [{ id: 'failure-burst', severity: 'urgent' }]))).toMatch(/rules\[0\]\.severity: expected one of "critical", "high", "medium", "low", got "urgent"/);
    expect(await refusal(await userTemplate('p5.json', [{ id: 'failure-burst', title: 'Mine' }]))).toMatch(/rules\[0\]\.title: unknown key "title"/);
  });

  it('from the CLI: exit 2, one line with "did you mean", before anything is written', async () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'typo.json');
    await writeFile(file, await readFile(await userTemplate('cli-typo.json', ['failure-burst', 'acess-denied']), 'utf8'));
    expectCleanFailure(await cli(['demo', '--template', './typo.json', '--out', path.join(cwd, 'r')], { cwd }), 2, /typo\.json: rules\[1\]: .*did you mean "access-denied"\?/);
    expect((await readdir(cwd)).sort()).toEqual(['typo.json']);
  });
});

describe('docs/rules.md', () => {
  it('its "rules" example loads: ids, overrides and a rule of its own', async () => {
    const doc = await readFile(path.join(TEMPLATES_DIR, '..', 'docs', 'rules.md'), 'utf8');
    const block = /```json\n("rules": \[[\s\S]*?)```/.exec(doc);
    expect(block, 'docs/rules.md has a "rules": [...] example').not.toBeNull();
    const { rules } = JSON.parse(`{${block![1]}}`) as { rules: unknown[] };
    const t = await loadTemplate(await userTemplate('doc-example.json', rules), TEMPLATES_DIR);
    expect(t.rules.map((r) => r.id)).toEqual(['access-denied', 'console-sign-in-without-mfa', 'failure-burst', 'iam-user-created', 'prod-skill-deleted']);
    expect(t.rules[2]).toMatchObject({ severity: 'critical', threshold: 5, windowMinutes: 5 });
  });
});
