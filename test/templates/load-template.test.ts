import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditpackError, EXIT } from '../../src/errors.js';
import { ALL_SECTIONS } from '../../src/model/synthetic-model.js';
import { listBuiltinTemplates, loadTemplate } from '../../src/templates/load-template.js';
import { SECTION_IDS } from '../../src/templates/sections.js';
import { createRuleEngine } from '../../src/rules/engine.js';
import { TEMPLATES_DIR, ct, ev } from '../rules/fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'auditpack-templates-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const validRule = {
  id: 'deletes',
  type: 'match',
  title: 'Deletion',
  severity: 'medium',
  control: 'CC8.1',
  reason: 'Deletions should be authorized.',
  match: { operationName: { prefix: 'delete' } },
};

function baseTemplate(): Record<string, unknown> {
  return {
    name: 'mine',
    description: 'My template',
    title: 'My report',
    primaryOutput: 'pdf',
    sections: ['cover', 'summary', 'exceptions'],
    pdfExceptionLimit: 100,
    rules: [validRule],
  };
}

async function write(name: string, content: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

async function errorOf(nameOrPath: string, templatesDir = TEMPLATES_DIR): Promise<AuditpackError> {
  try {
    await loadTemplate(nameOrPath, templatesDir);
  } catch (e) {
    if (e instanceof AuditpackError) return e;
    throw e;
  }
  throw new Error(`${nameOrPath} loaded without error`);
}

/** A template with one change at `mutate`, and the error line it must produce. */
async function badTemplate(name: string, mutate: (t: Record<string, unknown>) => void): Promise<{ file: string; message: string }> {
  const t = baseTemplate();
  mutate(t);
  const file = await write(name, t);
  const e = await errorOf(file);
  expect(e.code).toBe('TEMPLATE_INVALID');
  expect(e.exitCode).toBe(EXIT.badInput);
  expect(e.message).not.toContain('\n');
  return { file, message: e.message };
}

describe('built-in templates', () => {
  it('lists the three built-ins with their descriptions', async () => {
    const list = await listBuiltinTemplates(TEMPLATES_DIR);
    expect(list.map((t) => t.name)).toEqual(['auditor-handoff', 'failed-operations', 'soc2-monthly']);
    for (const t of list) expect(t.description.length).toBeGreaterThan(20);
  });

  it('soc2-monthly has every section, groups by criterion and maps to the six criteria', async () => {
    const t = await loadTemplate('soc2-monthly', TEMPLATES_DIR);
    expect(t.primaryOutput).toBe('pdf');
    expect(t.sections).toEqual([...SECTION_IDS]);
    expect(t.pdfSections).toEqual(t.sections);
    expect(t.groupExceptionsBy).toBe('control');
    expect(t.failuresOnly).toBe(false);
    expect(new Set(t.rules.map((r) => r.control))).toEqual(new Set(['CC6.1', 'CC6.2', 'CC6.3', 'CC7.2', 'CC7.3', 'CC8.1']));
    expect(new Set(t.rules.map((r) => r.type))).toEqual(
      new Set(['match', 'burst', 'requester-not-in-directory', 'outside-business-hours', 'coverage', 'quiet-period']),
    );
  });

  it('auditor-handoff is workbook-first with samples and a short PDF', async () => {
    const t = await loadTemplate('auditor-handoff', TEMPLATES_DIR);
    expect(t.primaryOutput).toBe('xlsx');
    expect(t.sections).toEqual(expect.arrayContaining(['events', 'sample', 'exceptions', 'coverage']));
    expect(t.pdfSections).toEqual(['cover', 'summary']);
    expect(t.samples.map((s) => s.population)).toEqual(['Failed operations', 'Privileged changes']);
  });

  it('failed-operations is failures only, with clusters, offenders, the daily trend and bursts', async () => {
    const t = await loadTemplate('failed-operations', TEMPLATES_DIR);
    expect(t.failuresOnly).toBe(true);
    expect(t.sections).toEqual(expect.arrayContaining(['failureClusters', 'requesters', 'daily', 'exceptions']));
    expect(t.sections).not.toContain('sample');
    expect(t.rules.some((r) => r.type === 'burst')).toBe(true);
    // Failures only: no rule of this template flags a successful call.
    const engine = createRuleEngine(t.rules, { timeZone: 'UTC', directory: null, businessHours: null });
    const successes = [
      ev(),
      ev({ operation: 'deleteSkill.v1' }),
      ct({ operation: 'StopLogging', attributes: { identityType: 'Root' } }),
      ct({ operation: 'ConsoleLogin', attributes: { consoleLogin: 'Success', mfa: 'false' } }),
    ];
    expect(successes.flatMap((e) => engine.onEvent(e))).toEqual([]);
    expect(engine.onEvent(ev({ outcome: 'failure', responseCode: '403' })).map((r) => r.ruleId)).toEqual(['unauthorized-request']);
  });

  it('the section list equals the model’s SectionId list', () => {
    expect([...SECTION_IDS].sort()).toEqual([...ALL_SECTIONS].sort());
  });

  it('an unknown name lists the built-ins', async () => {
    const e = await errorOf('soc3-monthly');
    expect(e.code).toBe('TEMPLATE_INVALID');
    expect(e.oneLine).toContain('unknown template "soc3-monthly"');
    expect(e.oneLine).toContain('auditor-handoff, failed-operations, soc2-monthly');
  });
});

describe("a user's template", () => {
  it('loads from a path and fills defaults', async () => {
    const file = await write('ok.json', baseTemplate());
    const t = await loadTemplate(file, TEMPLATES_DIR);
    expect(t.name).toBe('mine');
    expect(t.samples).toEqual([]);
    expect(t.groupExceptionsBy).toBe('severity');
    expect(t.pdfSections).toEqual(['cover', 'summary', 'exceptions']);
  });

  it('a missing file names the file', async () => {
    const e = await errorOf(path.join(dir, 'nope.json'));
    expect(e.message).toBe(`${path.join(dir, 'nope.json')}: file not found`);
  });
});

describe('bad templates give one line: file, path inside it, what was expected', () => {
  it('unknown rule type', async () => {
    const { file, message } = await badTemplate('type.json', (t) => {
      t.rules = [validRule, { ...validRule, id: 'x', type: 'regex-match' }];
    });
    expect(message).toBe(
      `${file}: rules[1].type: expected one of "match", "requester-not-in-directory", "outside-business-hours", "burst", "coverage", "quiet-period", got "regex-match"`,
    );
  });

  it('missing field', async () => {
    const { file, message } = await badTemplate('missing.json', (t) => {
      const { severity: _drop, ...rest } = validRule;
      t.rules = [rest];
    });
    expect(message).toBe(`${file}: rules[0].severity: expected one of "critical", "high", "medium", "low", got nothing`);
    const { message: m2 } = await badTemplate('missing2.json', (t) => {
      const { reason: _drop, ...rest } = validRule;
      t.rules = [rest];
    });
    expect(m2).toMatch(/missing2\.json: rules\[0\]\.reason: missing: expected a string$/);
    const { message: m3 } = await badTemplate('missing3.json', (t) => {
      delete t.sections;
    });
    expect(m3).toMatch(/missing3\.json: sections: missing: expected a list$/);
  });

  it('bad regular expression, found deep inside the match', async () => {
    const { file, message } = await badTemplate('regex.json', (t) => {
      const bad = { ...validRule, id: 'r', match: { not: { operation: { regex: 'Delete(Room' } } } };
      t.rules = [...['a', 'b', 'c'].map((id) => ({ ...validRule, id })), bad];
    });
    expect(message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: rules\\[3\\]\\.match\\.not\\.operation\\.regex: expected a valid regular expression \\(.*\\), got "Delete\\(Room"$`));
  });

  it('bad regular expression in an attribute with an odd name', async () => {
    const { message } = await badTemplate('regex2.json', (t) => {
      t.rules = [{ ...validRule, match: { attributes: { 'x-scope': { regex: '[' } } } }];
    });
    expect(message).toContain('rules[0].match.attributes["x-scope"].regex: expected a valid regular expression');
  });

  it('wrong type', async () => {
    const { file, message } = await badTemplate('wrong.json', (t) => {
      t.pdfExceptionLimit = '100';
    });
    expect(message).toBe(`${file}: pdfExceptionLimit: expected a number, got "100"`);
    const { message: m2 } = await badTemplate('wrong2.json', (t) => {
      t.rules = [{ ...validRule, match: { operation: 42 } }];
    });
    expect(m2).toMatch(/rules\[0\]\.match\.operation: expected a string, a list of strings, or an object with one of equals, in, prefix, regex, got 42$/);
    const { message: m3 } = await badTemplate('wrong3.json', (t) => {
      t.rules = [{ ...validRule, id: 'b', type: 'burst', threshold: 2.5, windowMinutes: 5, match: undefined }];
    });
    expect(m3).toMatch(/rules\[0\]\.threshold: expected integer, got 2\.5$|rules\[0\]\.threshold: expected an integer, got 2\.5$/);
  });

  it('unknown key, at any depth', async () => {
    const { file, message } = await badTemplate('key.json', (t) => {
      t.colour = 'blue';
    });
    expect(message).toBe(`${file}: colour: unknown key "colour": remove it or check its spelling`);
    const { message: m2 } = await badTemplate('key2.json', (t) => {
      t.rules = [{ ...validRule, match: { operation: { prefix: 'Delete', ignorecase: true } } }];
    });
    expect(m2).toContain('rules[0].match.operation.ignorecase: unknown key "ignorecase"');
  });

  it('bad values: section, severity, criterion, duplicate id, sample naming an unknown rule', async () => {
    expect((await badTemplate('s.json', (t) => (t.sections = ['cover', 'appendix']))).message).toMatch(/sections\[1\]: expected one of "cover", .*"signoff", got "appendix"$/);
    expect((await badTemplate('v.json', (t) => (t.rules = [{ ...validRule, severity: 'urgent' }]))).message).toMatch(/rules\[0\]\.severity: expected one of "critical", "high", "medium", "low", got "urgent"$/);
    expect((await badTemplate('c.json', (t) => (t.rules = [{ ...validRule, control: 'SOC2' }]))).message).toMatch(
      /rules\[0\]\.control: expected a SOC 2 Trust Services Criterion such as CC6\.1, CC7\.2 or CC8\.1, got "SOC2"$/,
    );
    expect((await badTemplate('d.json', (t) => (t.rules = [validRule, validRule, validRule]))).message).toMatch(
      /rules\[1\]\.id: expected a unique rule id \("deletes" is already rules\[0\]\) \(and 1 more problem\)$/,
    );
    expect((await badTemplate('p.json', (t) => (t.samples = [{ population: 'X', rules: ['deletes', 'nope'] }]))).message).toMatch(
      /samples\[0\]\.rules\[1\]: expected the id of a rule in this template \("nope" is not one\)/,
    );
    expect((await badTemplate('q.json', (t) => (t.samples = [{ population: 'X', rules: ['deletes'], match: {} }]))).message).toMatch(
      /samples\[0\]: expected exactly one of "rules"/,
    );
  });

  it('JSON syntax errors give line and column', async () => {
    const file = await write('syntax.json', '{\n  "name": "mine",\n  "title": "x",,\n}\n');
    const e = await errorOf(file);
    expect(e.code).toBe('TEMPLATE_INVALID');
    expect(e.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 3 column 16: not valid JSON \\(`));
    const truncated = await write('truncated.json', '{\n  "name": "mine"');
    expect((await errorOf(truncated)).message).toMatch(/truncated\.json: line 2 column 17: not valid JSON/);
  });

  it('a built-in whose name does not match its file is refused', async () => {
    const builtins = await mkdtemp(path.join(tmpdir(), 'auditpack-builtins-'));
    try {
      const soc2 = JSON.parse(await readFile(path.join(TEMPLATES_DIR, 'soc2-monthly.json'), 'utf8'));
      await writeFile(path.join(builtins, 'renamed.json'), JSON.stringify(soc2));
      await mkdir(path.join(builtins, 'rules'));
      await copyFile(path.join(TEMPLATES_DIR, 'rules', 'catalogue.json'), path.join(builtins, 'rules', 'catalogue.json'));
      const e = await errorOf('renamed', builtins);
      expect(e.message).toBe(`${path.join(builtins, 'renamed.json')}: name: expected "renamed" (the file name), got "soc2-monthly"`);
    } finally {
      await rm(builtins, { recursive: true, force: true });
    }
  });
});
