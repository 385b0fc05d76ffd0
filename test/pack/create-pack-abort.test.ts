import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPack, type CreatePackInput } from '../../src/pack/create-pack.js';
import { parsePeriod } from '../../src/period/parse-period.js';
import type { Renderer } from '../../src/render/renderer.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';

/** Ctrl-C (or SIGTERM) after the pull, while the files are being written. */
describe('createPack interrupted while rendering', () => {
  it('stops with ABORTED (exit 130), writes no pack and keeps the staging folder for a resume', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-abort-'));
    const packDir = join(dir, 'pack');
    const stop = new AbortController();
    const rendered: string[] = [];
    const renderer = (file: string, then?: () => void): Renderer => ({
      name: file,
      file,
      async render(_model, path) {
        await writeFile(path, file);
        rendered.push(file);
        then?.();
      },
    });
    const period = parsePeriod({ period: '2026-10-01', timeZone: 'UTC', now: Date.parse('2026-11-02T00:00:00Z') });
    const input: CreatePackInput = {
      packDir,
      force: false,
      pipeline: {
        sources: [], period, plans: new Map(), httpFor: () => { throw new Error('no source'); }, directory: null,
        rules: { evaluate: () => ({ rows: [], matchedRuleIds: [] }), finish: () => [] }, sampler: null,
        log: silentLogger, clock: systemClock, signal: stop.signal, progress: { windowStarted() {}, windowDone() {}, update() {} },
      },
      model: {
        meta: { title: 't', organization: 'o', template: 'x', templateDescription: '', toolVersion: '0', generatedAt: '2026-11-02T09:00:00.000Z', command: 'test', parameters: { p: 1 }, sources: [] },
        period, sampling: null, sections: [], pdfSections: [], exceptionGrouping: 'control', failuresOnly: false, pdfExceptionLimit: 10,
        signOff: { preparedBy: null, reviewedBy: null, date: null, conclusion: null },
      },
      renderers: [renderer('summary.json', () => stop.abort(Object.assign(new Error('interrupted'), { name: 'AbortError' }))), renderer('report.pdf')],
    };
    await expect(createPack(input)).rejects.toMatchObject({ code: 'ABORTED', exitCode: 130 });
    expect(rendered).toEqual(['summary.json']);
    expect(existsSync(packDir)).toBe(false);
    expect(readdirSync(join(dir, '.pack.partial'))).toContain('.state');
    expect(existsSync(join(dir, '.pack.lock'))).toBe(false);
  });
});
