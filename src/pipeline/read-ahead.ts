/**
 * Iterates `source` one item ahead: while the caller works on item N, item N+1 is already being
 * fetched. For a paged API this overlaps normalizing and archiving a page with the network wait
 * for the next one, which is where a pull otherwise sits idle (see bench/smapi-pull.ts).
 * Order, errors and early exit behave as with a plain `for await`.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  // A rejection lands while the caller is busy with the previous item; it is rethrown at the
  // caller's next step, and must not count as unhandled in between.
  next.catch(() => undefined);
  let done = false;
  try {
    for (;;) {
      const r = await next;
      if (r.done) {
        done = true;
        return;
      }
      next = it.next();
      next.catch(() => undefined);
      yield r.value;
    }
  } finally {
    if (!done) await it.return?.();
  }
}
