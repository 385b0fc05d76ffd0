import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBuiltinTemplates, loadCatalogue, loadTemplate } from '../../src/templates/load-template.js';
import type { MatchSpec, RuleSpec, StringMatch } from '../../src/rules/rule-spec.js';
import { TEMPLATES_DIR } from '../rules/fixtures.js';

const LETTER: Record<string, string> = { 'soc2-monthly': 'S', 'auditor-handoff': 'H', 'failed-operations': 'F' };

/** Exact operation names a match asks for (not under `not`): the doc must name each one. */
function namedOperations(m: MatchSpec | undefined): string[] {
  if (!m) return [];
  const exact = (s: StringMatch | undefined): string[] =>
    s === undefined ? [] : typeof s === 'string' ? [s] : Array.isArray(s) ? s : s.equals !== undefined ? [s.equals] : (s.in ?? []);
  return [...exact(m.operation), ...exact(m.operationName), ...(m.anyOf ?? []).flatMap(namedOperations)];
}

describe('docs/rules.md and the rule catalogue agree', async () => {
  const doc = await readFile(path.join(TEMPLATES_DIR, '..', 'docs', 'rules.md'), 'utf8');
  const rows = new Map<string, { title: string; severity: string; control: string; templates: string; why: string }>();
  for (const m of doc.matchAll(/^\| `([a-z0-9-]+)` \| ([^|]+) \| (\w+) \| (CC\d\.\d) \| ([SHF ]+) \| (.*) \|$/gm)) {
    rows.set(m[1], { title: m[2], severity: m[3], control: m[4], templates: m[5].trim(), why: m[6] });
  }
  // Every catalogue rule, with the built-in templates that name it.
  const byId = new Map<string, { rule: RuleSpec; templates: string[] }>();
  for (const rule of (await loadCatalogue(TEMPLATES_DIR)).values()) byId.set(rule.id, { rule, templates: [] });
  for (const { name } of await listBuiltinTemplates(TEMPLATES_DIR)) {
    for (const rule of (await loadTemplate(name, TEMPLATES_DIR)).rules) byId.get(rule.id)?.templates.push(LETTER[name]);
  }

  it('lists every catalogue rule with its title, severity, criterion and the built-in templates naming it', () => {
    for (const [id, { rule, templates }] of byId) {
      const row = rows.get(id);
      expect(row, `docs/rules.md has no row for ${id}`).toBeDefined();
      expect({ ...row, why: undefined }).toEqual({
        title: rule.title,
        severity: rule.severity,
        control: rule.control,
        templates: ['S', 'H', 'F'].filter((l) => templates.includes(l)).join(' '),
        why: undefined,
      });
    }
  });

  it('states the criterion each rule applies: the operations it names, burst and quiet-period figures', () => {
    for (const [id, { rule }] of byId) {
      const why = rows.get(id)!.why;
      if (rule.type === 'match') for (const op of namedOperations(rule.match)) expect(why, `${id} names ${op}`).toContain(`\`${op}\``);
      if (rule.type === 'burst') expect(why, id).toContain(`${rule.threshold} or more failures by one requester within ${rule.windowMinutes} minutes`);
      if (rule.type === 'quiet-period') expect(why, id).toContain(`${rule.minHours} or more whole UTC hours`);
    }
  });

  it('documents no rule the catalogue does not have', () => {
    expect([...rows.keys()].sort()).toEqual([...byId.keys()].sort());
  });
});
