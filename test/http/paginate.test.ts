import { describe, expect, it } from 'vitest';
import { AuditpackError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/client.js';
import { collect, paginate } from '../../src/http/paginate.js';
import { emptyStats } from '../../src/model/coverage.js';
import { json, startEmulator } from '../../src/emulators/kit/server.js';
import { silentLogger } from '../../src/util/logger.js';
import { virtualClock } from './helpers.js';

interface Page {
  items: number[];
  nextToken?: string;
}

describe('paginate', () => {
  it('follows tokens until there is none, over the wire with faults in between', async () => {
    const emu = await startEmulator((req) => {
      const from = Number(req.query.get('token') ?? '0');
      const items = Array.from({ length: 3 }, (_, i) => from + i).filter((x) => x < 10);
      return json(200, { items, nextToken: from + 3 < 10 ? String(from + 3) : undefined });
    });
    const client = createHttpClient({ retry: { baseDelayMs: 1 } }, { clock: virtualClock(), log: silentLogger });
    try {
      emu.faults.every(2, { kind: 'status', status: 503 });
      const rec = emptyStats();
      const tokens: (string | undefined)[] = [];
      const pages = paginate<Page>(
        async (token) => {
          tokens.push(token);
          const url = new URL('/logs', emu.url);
          if (token) url.searchParams.set('token', token);
          return (await client.json<Page>({ method: 'GET', url }, rec)).body;
        },
        (p) => p.nextToken,
      );
      expect(await collect(pages, (p) => p.items)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(tokens).toEqual([undefined, '3', '6', '9']);
      expect(rec.retries).toBeGreaterThan(0);
    } finally {
      await client.close();
      await emu.close();
    }
  });

  it('is lazy: stops fetching when the consumer stops', async () => {
    let fetched = 0;
    const pages = paginate<Page>(
      async (t) => {
        fetched++;
        return { items: [Number(t ?? 0)], nextToken: String(Number(t ?? 0) + 1) };
      },
      (p) => p.nextToken,
    );
    for await (const p of pages) if (p.items[0] === 2) break;
    expect(fetched).toBe(3);
  });

  it('treats an empty token as the end', async () => {
    const pages = paginate<Page>(async () => ({ items: [1], nextToken: '' }), (p) => p.nextToken);
    expect(await collect(pages, (p) => p.items)).toEqual([1]);
  });

  it('stops with an error when the same token comes back twice in a row', async () => {
    const pages = paginate<Page>(async () => ({ items: [1], nextToken: 'same' }), (p) => p.nextToken);
    await expect(collect(pages, (p) => p.items)).rejects.toBeInstanceOf(AuditpackError);
  });
});
