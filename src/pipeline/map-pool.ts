/**
 * Maps items with at most `limit` of them holding a slot at once; results keep the input order.
 * An item holds its slot until its promise settles, or until it calls `release` (it goes on
 * without the slot: an API window whose requests are all answered, still archiving and counting
 * its last pages, lets the next window start sending).
 */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number, release: () => void) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  const all: Promise<void>[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      let release!: () => void;
      const freed = new Promise<void>((resolve) => (release = resolve));
      const done = fn(items[i], i, release).then((r) => {
        results[i] = r;
      });
      all.push(done);
      // Settled, the item frees its slot if it had not; a rejection fails the pool at once, as
      // before any release, or (released earlier) once every item settled.
      done.then(release, release);
      await Promise.race([freed, done]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  await Promise.all(all);
  return results;
}
