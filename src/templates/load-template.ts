import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { AuditpackError } from '../errors.js';
import { CATALOGUE_FILE, catalogueSchema, type RuleCatalogue } from '../rules/catalogue.js';
import { explainIssue, formatPath, jsonErrorLocation } from './format-issue.js';
import { templateSchema, type Template } from './template.js';

const HINT = 'see docs/rules.md for the template format';

function invalid(file: string, where: string, what: string, cause?: unknown): AuditpackError {
  return new AuditpackError('TEMPLATE_INVALID', `${file}: ${where}: ${what}`, { hint: HINT, cause });
}

/** A user's file when it looks like a path; a built-in template name otherwise. */
function looksLikePath(nameOrPath: string): boolean {
  return nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.toLowerCase().endsWith('.json');
}

async function builtinNames(templatesDir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(templatesDir);
  } catch (e) {
    throw new AuditpackError('INTERNAL', `the built-in templates folder ${templatesDir} cannot be read`, { cause: e });
  }
  return entries.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
}

/** Parses and validates one JSON file; every problem is one line naming file, path and expectation. */
async function readJsonFile<S extends z.ZodType>(file: string, schema: S, shownAs: string = file): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? String(e)})`;
    throw new AuditpackError('TEMPLATE_INVALID', `${shownAs}: ${what}`, { hint: 'give a built-in template name or the path of a .json template', cause: e });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const at = jsonErrorLocation(text, e);
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw invalid(shownAs, at ?? 'JSON', `not valid JSON (${message})`, e);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const { path: where, text: what } = explainIssue(raw, issues[0]);
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw invalid(shownAs, formatPath(where), `${what}${more}`);
  }
  return parsed.data;
}

/** The built-in rules every template names by id (templates/rules/catalogue.json). */
export async function loadCatalogue(templatesDir: string): Promise<RuleCatalogue> {
  return readJsonFile(path.join(templatesDir, CATALOGUE_FILE), catalogueSchema);
}

async function readTemplateFile(file: string, templatesDir: string, shownAs: string = file): Promise<Template> {
  return readJsonFile(file, templateSchema(await loadCatalogue(templatesDir)), shownAs);
}

/** Built-in templates (templates/*.json) with their descriptions, for `auditpack templates`. */
export async function listBuiltinTemplates(templatesDir: string): Promise<{ name: string; description: string }[]> {
  const out: { name: string; description: string }[] = [];
  for (const name of await builtinNames(templatesDir)) {
    const t = await loadTemplate(name, templatesDir);
    out.push({ name: t.name, description: t.description });
  }
  return out;
}

/** `soc2-monthly` picks a built-in template; `./mine.json` (anything path-like) a user's file. */
export async function loadTemplate(nameOrPath: string, templatesDir: string): Promise<Template> {
  if (looksLikePath(nameOrPath)) return readTemplateFile(path.resolve(nameOrPath), templatesDir, nameOrPath);
  const names = await builtinNames(templatesDir);
  if (!names.includes(nameOrPath)) {
    throw new AuditpackError('TEMPLATE_INVALID', `unknown template "${nameOrPath}"`, {
      hint: `built-in templates: ${names.join(', ')}; or give the path of your own, such as ./my-template.json`,
    });
  }
  const file = path.join(templatesDir, `${nameOrPath}.json`);
  const template = await readTemplateFile(file, templatesDir);
  if (template.name !== nameOrPath) throw invalid(file, 'name', `expected "${nameOrPath}" (the file name), got "${template.name}"`);
  return template;
}
