/**
 * `npm run bench -- compaction [--media N] [--lists N]`: how long folding the
 * delta tier into the frozen base holds the event loop. A replica compacts
 * once `--lists` lists (the follower's threshold) have changed since the
 * last time; an API sharing its loop answers nothing while a slice runs.
 *
 * Three ways over the same changed lists, in one run:
 * - baseline: the compaction as it was, every list re-serialized from a view
 *   of the old base, in one blocking step;
 * - compact(): unchanged lists copied byte for byte, still one step;
 * - compactInSlices(): the same work in slices, the loop turning between them.
 * A ticker on the loop records the longest gap between its turns.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { PostingIndex, PostingOp } from '../../query/engine';
import { FrozenPostingsBuilder, type SlotKey } from '../../query/engine/frozen-postings';
import { isUniverse } from '../../query/engine/posting-index';
import { seededRandom } from '../../platform/seeded-random';
import { buildIndex } from './engine-bench';
import { corpusOfFlags } from './support/engine-corpus';
import { printTable } from './support/print-table';
import { parseFlags } from './support/seeded-random';

/** Re-adds one existing member to each of `lists` random lists: the delta then holds copies of them. */
function touchLists(index: PostingIndex, lists: number, users: number, tags: number, seed: number): void {
  const random = seededRandom(seed);
  const ops: PostingOp[] = [];
  for (let i = 0; i < lists; i++) {
    const term =
      random() < 0.7
        ? { kind: 'tag' as const, tag: `t${Math.floor(random() * tags)}` }
        : { kind: 'author' as const, id: Math.floor(random() * users) };
    ops.push({ op: 'add', term, member: Math.floor(random() * index.ids.media.size) });
  }
  index.apply(ops);
}

/** The compaction before byte copies: a view of every unchanged list, re-serialized. Blocking, like it was. */
function rebuildFromViews(index: PostingIndex): number {
  const builder = new FrozenPostingsBuilder();
  for (const [term, bm] of index.entries()) if (!isUniverse(term)) builder.add(term as SlotKey, bm);
  return builder.finish().byteSize;
}

/** Runs `work` with a ticker on the loop; returns its wall time and the longest gap between ticks. */
async function measure(work: () => unknown): Promise<{ ms: number; stallMs: number; turns: number }> {
  let last = performance.now();
  let stallMs = 0;
  let turns = 0;
  let running = true;
  const tick = (): void => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
    turns++;
    if (running) setImmediate(tick);
  };
  const started = performance.now();
  last = started;
  setImmediate(tick);
  await work();
  const ms = performance.now() - started;
  running = false;
  await new Promise((resolve) => setImmediate(resolve));
  return { ms, stallMs: Math.max(stallMs, performance.now() - last), turns };
}

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    media: 1_000_000,
    users: 200_000,
    tags: 200_000,
    locations: 20_000,
    follows: 50,
    lists: 50_000,
    seed: 42,
  });
  const corpus = corpusOfFlags(flags);
  const { index, postings } = buildIndex(corpus);
  console.log(
    `compaction benchmark: ${flags.media.toLocaleString()} media, ${postings.toLocaleString()} postings, ` +
      `base ${(index.baseBytes / 2 ** 20).toFixed(0)} MiB; ${flags.lists.toLocaleString()} lists changed; ` +
      `load average ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} cores`,
  );

  const rows: string[][] = [];
  const ways: [string, () => unknown][] = [
    ['baseline: re-serialize every list, blocking', () => rebuildFromViews(index)],
    ['compact(): byte copies, blocking', () => index.compact()],
    ['compactInSlices(): byte copies, 5 ms slices', () => index.compactInSlices()],
  ];
  let baselineStall = 0;
  for (const [name, work] of ways) {
    touchLists(index, flags.lists, flags.users, flags.tags, flags.seed);
    const changed = index.deltaLists;
    const m = await measure(work);
    // The baseline builds without installing: fold its delta in before the next way starts.
    if (index.deltaLists > 0) index.compact();
    if (baselineStall === 0) baselineStall = m.stallMs;
    rows.push([
      name,
      changed.toLocaleString(),
      m.ms.toFixed(0),
      m.stallMs.toFixed(1),
      String(m.turns),
      (m.stallMs / baselineStall).toFixed(3),
    ]);
  }
  printTable(
    ['compaction', 'lists changed', 'wall ms', 'longest stall ms', 'loop turns', 'stall vs baseline'],
    rows,
  );
}
