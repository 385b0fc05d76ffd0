/**
 * Iterates `source` up to `depth` items ahead: while the caller works on item N, items N+1 to
 * N+depth are already being fetched. For a paged API this overlaps normalizing and archiving a
 * page with the network wait for the next ones, which is where a pull otherwise sits idle; more
 * than one ahead keeps a window's requests going at the network's pace while the caller is slow
 * for a while (other windows' pages share its thread: see bench/smapi-pull.ts). An async
 * generator serves queued `next()` calls one after another, so the source still runs one step at
 * a time. Order and errors behave as with a plain `for await`; on early exit the source is closed
 * once the steps already asked of it are done.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, depth = 1): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const ahead: Promise<IteratorResult<T>>[] = [];
  const ask = () => {
    const next = it.next();
    // A rejection lands while the caller is busy with an earlier item; it is rethrown at the
    // caller's step that reaches it, and must not count as unhandled in between.
    next.catch(() => undefined);
    ahead.push(next);
  };
  let done = false;
  try {
    for (let i = 0; i < Math.max(1, depth); i++) ask();
    for (;;) {
      const r = await ahead.shift()!;
      if (r.done) {
        done = true;
        return;
      }
      ask();
      yield r.value;
    }
  } finally {
    if (!done) await it.return?.();
  }
}
