import { AuditpackError } from '../errors.js';

/**
 * Pages as an async iterator (octokit style): calls `fetchPage(undefined)`, then
 * `fetchPage(nextToken(page))` until `nextToken` returns undefined or an empty string.
 * A token repeated back to back would loop forever, so it stops with an error instead.
 */
export async function* paginate<P>(
  fetchPage: (token: string | undefined) => Promise<P>,
  nextToken: (page: P) => string | undefined,
): AsyncIterable<P> {
  let token: string | undefined;
  for (;;) {
    const page = await fetchPage(token);
    yield page;
    const next = nextToken(page);
    if (next === undefined || next === '') return;
    if (next === token) throw new AuditpackError('DATA_INVALID', 'pagination did not advance: the server returned the same page token twice', { hint: 're-run; if it persists, report the source API behaviour' });
    token = next;
  }
}

/** Every item of every page, in order. */
export async function collect<P, T>(pages: AsyncIterable<P>, items: (page: P) => readonly T[]): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...items(page));
  return out;
}
