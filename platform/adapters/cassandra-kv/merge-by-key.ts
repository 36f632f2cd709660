import { compareUtf8 } from './compare-utf8';

/**
 * Merges sources that are each sorted by key (UTF-8 byte order) and hold
 * disjoint keys. All sources start at once; each then advances only when its
 * entry was taken. Stopping early closes every source.
 */
export async function* mergeByKey<V>(sources: AsyncIterator<[string, V]>[]): AsyncGenerator<[string, V]> {
  try {
    const heads = await Promise.all(sources.map((s) => s.next()));
    for (;;) {
      let min = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i]!;
        if (head.done) continue;
        if (min < 0 || compareUtf8(head.value[0], (heads[min]!.value as [string, V])[0]) < 0) min = i;
      }
      if (min < 0) return;
      yield heads[min]!.value as [string, V];
      heads[min] = await sources[min]!.next();
    }
  } finally {
    await Promise.allSettled(sources.map((s) => s.return?.()));
  }
}
