import { Agent, request } from 'undici';
import type { TimeWindow } from '../src/model/window.js';
import { buildQueryBody } from '../src/sources/smapi/query-body.js';

export interface BarePullResult {
  pages: number;
  seconds: number;
}

/**
 * The same windows paged by the plainest client there is: undici's request() (its default pool),
 * JSON.parse, the next token, as many windows at once as the pull runs, nothing else (no archive, normalizing,
 * de-duplication, counting or rules). What it takes over the floor is the emulator's and the
 * scheduling's own cost (timer lateness, a window's last requests running alone): the part of the
 * ratio no change to the pipeline can remove.
 */
export async function barePull(opts: {
  url: string;
  tokenUrl: string;
  vendorId: string;
  credentials: { refreshToken: string; clientId: string; clientSecret: string };
  windows: readonly TimeWindow[];
  concurrency: number;
  pageSize: number;
}): Promise<BarePullResult> {
  const agent = new Agent();
  try {
    const token = await request(opts.tokenUrl, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: opts.credentials.refreshToken, client_id: opts.credentials.clientId, client_secret: opts.credentials.clientSecret }).toString(),
    });
    const { access_token: accessToken } = (await token.body.json()) as { access_token: string };
    const queue = [...opts.windows];
    let pages = 0;
    const chain = async () => {
      for (let w = queue.shift(); w; w = queue.shift()) {
        let next: string | undefined;
        do {
          const res = await request(opts.url, {
            method: 'POST',
            dispatcher: agent,
            headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
            body: JSON.stringify(buildQueryBody(opts.vendorId, undefined, w, opts.pageSize, next)),
          });
          if (res.statusCode !== 200) throw new Error(`bare pull: HTTP ${res.statusCode}: ${await res.body.text()}`);
          const page = (await res.body.json()) as { paginationContext?: { nextToken?: string } };
          pages++;
          next = page.paginationContext?.nextToken || undefined;
        } while (next);
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: opts.concurrency }, chain));
    return { pages, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await agent.close();
  }
}
