import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBuiltinTemplates, loadTemplate } from '../../src/templates/load-template.js';
import type { RuleSpec } from '../../src/rules/rule-spec.js';
import { TEMPLATES_DIR } from '../rules/fixtures.js';

const LETTER: Record<string, string> = { 'soc2-monthly': 'S', 'auditor-handoff': 'H', 'failed-operations': 'F' };

describe('docs/rules.md and the built-in templates agree', async () => {
  const doc = await readFile(path.join(TEMPLATES_DIR, '..', 'docs', 'rules.md'), 'utf8');
  const rows = new Map<string, { severity: string; control: string; templates: string }>();
  for (const m of doc.matchAll(/^\| `([a-z0-9-]+)` \| (\w+) \| (CC\d\.\d) \| ([SHF ]+) \|/gm)) {
    rows.set(m[1], { severity: m[2], control: m[3], templates: m[4].trim() });
  }
  const byId = new Map<string, { rule: RuleSpec; templates: string[] }>();
  for (const { name } of await listBuiltinTemplates(TEMPLATES_DIR)) {
    for (const rule of (await loadTemplate(name, TEMPLATES_DIR)).rules) {
      const seen = byId.get(rule.id);
      if (seen) {
        // A rule id means the same rule in every built-in template.
        expect(rule, `${rule.id} in ${name}`).toEqual(seen.rule);
        seen.templates.push(LETTER[name]);
      } else byId.set(rule.id, { rule, templates: [LETTER[name]] });
    }
  }

  it('lists every built-in rule with its severity, criterion and templates', () => {
    for (const [id, { rule, templates }] of byId) {
      expect(rows.get(id), `docs/rules.md has no row for ${id}`).toBeDefined();
      expect(rows.get(id)).toEqual({ severity: rule.severity, control: rule.control, templates: ['S', 'H', 'F'].filter((l) => templates.includes(l)).join(' ') });
    }
  });

  it('documents no rule that does not exist', () => {
    expect([...rows.keys()].sort()).toEqual([...byId.keys()].sort());
  });
});
