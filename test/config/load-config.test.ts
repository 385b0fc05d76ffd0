import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type SourceRegistry } from '../../src/config/load-config.js';
import { sourceRegistry } from '../../src/sources/registry.js';

/** The real registry, with each loader counting its calls. */
function countingRegistry(): { registry: SourceRegistry; loads: Record<string, number> } {
  const loads: Record<string, number> = {};
  const registry = Object.fromEntries(
    Object.entries(sourceRegistry).map(([type, load]) => [
      type,
      () => {
        loads[type] = (loads[type] ?? 0) + 1;
        return load();
      },
    ]),
  );
  return { registry, loads };
}

describe('loadConfig and the source registry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ap-load-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, sources: unknown[]) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify({ organization: 'X', timezone: 'UTC', sources }));
    return file;
  };
  const smapi = (name: string) => ({ type: 'smapi', name, vendorId: 'M1', auth: { refreshTokenEnv: 'R', clientIdEnv: 'I', clientSecretEnv: 'S' } });

  it('loads the module of each type the config names, once, and no other', async () => {
    const { registry, loads } = countingRegistry();
    const config = await loadConfig(write('two.json', [smapi('a'), smapi('b')]), registry);
    expect(config.sources.map((s) => [s.name, s.definition.type])).toEqual([
      ['a', 'smapi'],
      ['b', 'smapi'],
    ]);
    expect(loads).toEqual({ smapi: 1 });
  });

  it('names every registered type when one is unknown, loading none', async () => {
    const { registry, loads } = countingRegistry();
    await expect(loadConfig(write('unknown.json', [{ type: 'smapy' }]), registry)).rejects.toMatchObject({
      message: expect.stringContaining('sources[0].type: unknown source type "smapy"'),
      hint: `use one of: ${Object.keys(sourceRegistry).join(', ')}`,
    });
    expect(loads).toEqual({});
  });

  it('checks the entries in order: an invalid first entry is reported before an unknown second one', async () => {
    const { registry } = countingRegistry();
    await expect(loadConfig(write('order.json', [{ type: 'smapi', name: 'a' }, { type: '__proto__' }]), registry)).rejects.toThrow(/sources\[0\]/);
  });
});
