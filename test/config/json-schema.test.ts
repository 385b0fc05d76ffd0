import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configJsonSchemaText, SCHEMA_FILE, SCHEMA_REF } from '../../src/config/json-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { businessHoursSchema } from '../../src/rules/business-hours.js';
import { sourceRegistry } from '../../src/sources/registry.js';
import { schemaValidator, SHIPPED_SCHEMA_TEXT } from '../support/config-schema.js';

const ROOT = resolve(import.meta.dirname, '../..');
const shipped = SHIPPED_SCHEMA_TEXT;

/** Every ```json block of the README and docs/ that is a config (has "sources") or a source entry (a registered "type"). */
function exampleBlocks(): { where: string; json: Record<string, unknown>; kind: 'config' | 'source' }[] {
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
  const out: { where: string; json: Record<string, unknown>; kind: 'config' | 'source' }[] = [];
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/```json\n([\s\S]*?)```/g)) {
      const line = text.slice(0, m.index).split('\n').length;
      let json: unknown;
      try {
        json = JSON.parse(m[1]);
      } catch {
        continue;
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) continue;
      const o = json as Record<string, unknown>;
      if (Array.isArray(o.sources)) out.push({ where: `${file}:${line}`, json: o, kind: 'config' });
      else if (typeof o.type === 'string' && o.type in sourceRegistry) out.push({ where: `${file}:${line}`, json: o, kind: 'source' });
    }
  }
  return out;
}

/** What `auditpack run` checks, in the same order: the file (top level and each source), then business hours. */
async function zodAccepts(dir: string, config: unknown): Promise<boolean> {
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify(config));
  try {
    const loaded = await loadConfig(file, sourceRegistry);
    return loaded.raw.businessHours === undefined || businessHoursSchema.safeParse(loaded.raw.businessHours).success;
  } catch {
    return false;
  }
}

describe('the config JSON Schema', () => {
  const v = schemaValidator();
  const tmp = mkdtempSync(join(tmpdir(), 'ap-schema-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it(`${SCHEMA_FILE} is what the zod schemas generate (a new source type or key flows in with \`npm run schema\`)`, async () => {
    expect(shipped === (await configJsonSchemaText(sourceRegistry)), `${SCHEMA_FILE} is out of date: run \`npm run schema\` and commit it`).toBe(true);
  });

  it('names every registered source type', () => {
    const schema = JSON.parse(shipped) as { properties: { sources: { items: { oneOf: { properties: { type: { const: string } } }[] } } } };
    expect(schema.properties.sources.items.oneOf.map((s) => s.properties.type.const).sort()).toEqual(Object.keys(sourceRegistry).sort());
  });

  it('every example config in the README and docs names the schema with $schema and validates against it; every source snippet validates as a source', async () => {
    const blocks = exampleBlocks();
    expect(blocks.filter((b) => b.kind === 'config').length).toBeGreaterThan(0);
    expect(blocks.filter((b) => b.kind === 'source').length).toBeGreaterThan(0);
    for (const b of blocks) {
      if (b.kind === 'config') {
        expect(b.json.$schema, `${b.where}: $schema`).toBe(SCHEMA_REF);
        expect(v.config(b.json), b.where).toEqual({ ok: true, errors: 'No errors' });
        expect(await zodAccepts(tmp, b.json), `${b.where}: accepted by auditpack`).toBe(true);
      } else {
        expect(v.source(b.json), b.where).toEqual({ ok: true, errors: 'No errors' });
        expect(await zodAccepts(tmp, { sources: [b.json] }), `${b.where}: accepted by auditpack`).toBe(true);
      }
    }
  });

  // Structural mistakes a user makes: both the schema (in the editor) and auditpack (at run time) refuse each.
  const base = { $schema: SCHEMA_REF, organization: 'Example', sources: [{ type: 'trail-logs', apiKeyEnv: 'TRAIL_LOGS_API_KEY' }] };
  const src = (extra: Record<string, unknown>) => ({ ...base, sources: [{ type: 'trail-logs', apiKeyEnv: 'TRAIL_LOGS_API_KEY', ...extra }] });
  const bad: [string, unknown][] = [
    ['not an object', []],
    ['no sources', { organization: 'x' }],
    ['an empty source list', { ...base, sources: [] }],
    ['an unknown top-level key', { ...base, organisation: 'typo' }],
    ['organization not a string', { ...base, organization: 7 }],
    ['an unknown source type', { ...base, sources: [{ type: 'splunk' }] }],
    ['a source without type', { ...base, sources: [{ apiKeyEnv: 'X' }] }],
    ['an unknown key in a source', src({ apiKey: 'sk-live-secret-in-the-file' })],
    ['a wrong type in a source', src({ concurrency: 'four' })],
    ['a number out of range', src({ concurrency: 0 })],
    ['a fraction where an integer goes', src({ windowHours: 1.5 })],
    ['an endpoint that is not a URL', src({ endpoint: 'not a url' })],
    ['smapi without vendorId', { ...base, sources: [{ type: 'smapi', auth: { accessTokenEnv: 'T' } }] }],
    ['smapi page size over the maximum', { ...base, sources: [{ type: 'smapi', vendorId: 'M1', auth: { accessTokenEnv: 'T' }, pageSize: 201 }] }],
    ['a cloudtrail-files account id that is not 12 digits', { ...base, sources: [{ type: 'cloudtrail-files', location: '/x', accounts: ['1234'] }] }],
    ['an amplitude source without orgId', { ...base, sources: [{ type: 'amplitude', apiKeyEnv: 'A', secretKeyEnv: 'B' }] }],
    ['business hours with a bad time', { ...base, businessHours: { start: '8am', end: '18:00' } }],
    ['business hours with weekday 0', { ...base, businessHours: { days: [0, 1], start: '08:00', end: '18:00' } }],
    ['an unknown key in signOff', { ...base, signOff: { approvedBy: 'x' } }],
  ];

  it.each(bad)('refuses %s, in the schema and in auditpack alike', async (_what, config) => {
    expect(v.config(config).ok).toBe(false);
    expect(await zodAccepts(tmp, config)).toBe(false);
  });

  it('accepts what auditpack accepts: the minimal config, and defaults left out', async () => {
    const good = [
      base,
      { ...base, businessHours: { start: '08:00', end: '24:00' }, signOff: { preparedBy: 'A' }, timezone: 'Europe/Berlin' },
      src({ region: 'eu', windowHours: 12, concurrency: 2 }),
      { ...base, sources: [{ type: 'cloudtrail-files', location: 's3://bucket/prefix', verifyDigests: true }, { type: 'cloudtrail', regions: ['us-east-1'] }] },
    ];
    for (const c of good) {
      expect(v.config(c), JSON.stringify(c)).toEqual({ ok: true, errors: 'No errors' });
      expect(await zodAccepts(tmp, c), JSON.stringify(c)).toBe(true);
    }
  });

  it('the shipped file is where the package says', () => {
    expect(relative(ROOT, join(ROOT, SCHEMA_FILE))).toBe('schema/auditpack.schema.json');
  });
});
