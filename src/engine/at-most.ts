/**
 * `work` for every item, at most `limit` at a time, results in the items' order. Side by side
 * keeps a run's time from growing with the number of items; the limit keeps it within what AWS
 * answers without throttling.
 */
export async function atMost<T, R>(limit: number, items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
