/**
 * `npm run bench -- engine [--media N]`: builds a synthetic corpus (seeded),
 * loads it into the roaring index, and times four query classes against the
 * engine and against a plain JS Set baseline measured in the same run.
 */
import os from 'node:os';
import { RoaringBitmap32 } from 'roaring';
import { PostingIndex, QueryEngine, type TermRef } from '../../query/engine';
import { isUniverse } from '../../query/engine/posting-index';
import { FrozenPostingsBuilder, type SlotKey } from '../../query/engine/frozen-postings';
import { corpusOfFlags, csrList, type Csr, type EngineCorpus } from './support/engine-corpus';
import { seededRandom } from '../../platform/seeded-random';
import { parseFlags, percentile } from './support/seeded-random';
import { SetBaseline } from './support/set-baseline';
import { printTable } from './support/print-table';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const rss = () => {
  gc();
  gc();
  return process.memoryUsage().rss;
};
const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
// The cores are shared, so every timing is reported next to the load it ran under.
const load = () =>
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${os.cpus().length} cores`;

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    media: 1_000_000,
    users: 1_000_000,
    tags: 1_000_000,
    locations: 100_000,
    follows: 150,
    queries: 300,
    seed: 42,
  });
  console.log(
    `engine benchmark: ${flags.media} media, ${flags.users} users, ${flags.tags} tags, ~${flags.follows} follows, seed ${flags.seed}`,
  );
  let t = Date.now();
  const corpus = corpusOfFlags(flags);
  console.log(`corpus generated in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const before = rss();
  t = Date.now();
  const { index, postings } = buildIndex(corpus);
  const buildSeconds = (Date.now() - t) / 1000;
  const indexBytes = rss() - before;
  const idMapBytes = index.ids.media.byteSize() + index.ids.user.byteSize() + index.ids.location.byteSize();
  console.log(`index built in ${buildSeconds.toFixed(1)} s: ${postings.toLocaleString()} postings`);
  console.log(
    `frozen tier ${mib(index.baseBytes)} = ${(index.baseBytes / postings).toFixed(2)} bytes/posting`,
  );
  console.log(
    `index memory (RSS delta, id maps included): ${mib(indexBytes)} = ${(indexBytes / postings).toFixed(2)} bytes/posting (target <= 4); id maps ${mib(idMapBytes)}`,
  );

  const engine = new QueryEngine(index);
  const baseline = new SetBaseline(corpus);
  const random = seededRandom(flags.seed + 1);
  const pick = (n: number) => Math.floor(random() * n);
  const popular = () => `t${pick(100)}`;
  const rareTags: number[] = [];
  for (let tries = 0; rareTags.length < flags.queries && tries < flags.queries * 1000; tries++) {
    const tag = Math.floor(corpus.tags / 2) + pick(Math.floor(corpus.tags / 2));
    if (csrList(corpus.tagPostings, tag).length > 0) rareTags.push(tag);
  }
  const viewer = () => String(userExternal(pick(corpus.users)));
  const classes: Record<string, string[]> = {
    '3-term and/or/not, popular tags': Array.from(
      { length: flags.queries },
      () => `(and tag:${popular()} (or tag:${popular()} tag:${popular()}) (not tag:${popular()}))`,
    ),
    'rare tag': rareTags.map((tg) => `tag:t${tg}`),
    'apply author: over follows': Array.from(
      { length: flags.queries },
      () => `(apply author: follows:${viewer()})`,
    ),
    'tag AND apply author: follows': Array.from(
      { length: flags.queries },
      () => `(and tag:${popular()} (apply author: follows:${viewer()}))`,
    ),
    'friends of friends': Array.from({ length: flags.queries }, () => `(apply follows: follows:${viewer()})`),
  };

  // Engine first, baseline second: the baseline's Sets would otherwise sit in the
  // heap and put their GC pauses into the engine's timings.
  const engineRuns = new Map<string, { times: number[]; answers: string[] }>();
  console.log(`engine timings start: ${load()}`);
  for (const [name, queries] of Object.entries(classes)) {
    const answers = queries.map((q) => answerOf(engine.search(q, { limit: 100, externalIds: false })));
    gc();
    const times = time(queries, (q) => engine.search(q, { limit: 100, externalIds: false }).total);
    engineRuns.set(name, { times, answers });
  }
  console.log(`engine timings end: ${load()}`);
  const rows: string[][] = [];
  for (const [name, queries] of Object.entries(classes)) {
    const { times: roaring, answers } = engineRuns.get(name)!;
    // Warm the baseline's lazily built Sets, checking it agrees with the engine.
    queries.forEach((q, i) => {
      if (answerOf(baseline.search(q, 100)) !== answers[i])
        throw new Error(`engine and baseline disagree on ${q}`);
    });
    gc();
    const sets = time(queries, (q) => baseline.search(q, 100).total);
    rows.push([
      name,
      fmt(percentile(roaring, 50)),
      fmt(percentile(roaring, 99)),
      fmt(percentile(sets, 50)),
      fmt(percentile(sets, 99)),
      `${(mean(sets) / mean(roaring)).toFixed(1)}x`,
    ]);
  }
  printTable(['query class', 'p50 ms', 'p99 ms', 'Set p50 ms', 'Set p99 ms', 'speed-up (mean)'], rows);
  console.log(
    'targets at 10M media: 3-term p50 <= 1 ms, p99 <= 5 ms; tag AND apply p99 <= 10 ms; <= 4 bytes/posting; >= 20x the Set baseline',
  );
  const at = (name: string, p: number) => percentile(engineRuns.get(name)!.times, p);
  const verdicts: [string, number, number, string][] = [
    ['3-term p50', at('3-term and/or/not, popular tags', 50), 1, 'ms'],
    ['3-term p99', at('3-term and/or/not, popular tags', 99), 5, 'ms'],
    ['tag AND apply p99', at('tag AND apply author: follows', 99), 10, 'ms'],
    ['index memory', indexBytes / postings, 4, 'bytes/posting'],
  ];
  for (const [what, value, limit, unit] of verdicts) {
    console.log(
      `  ${what}: ${value.toFixed(3)} ${unit} (target <= ${limit}) ${value <= limit ? 'met' : 'MISSED'}`,
    );
  }
}

const answerOf = (r: { total: number; dense: number[] }) => `${r.total}:${r.dense.join(',')}`;

function userExternal(u: number): bigint {
  return 1_000_000_000_000_000n + BigInt(u) * 13n;
}

export function buildIndex(c: EngineCorpus): { index: PostingIndex; postings: number } {
  const index = new PostingIndex();
  for (let m = 0; m < c.media; m++)
    index.ids.media.getOrAssign(String(2_000_000_000_000_000n + BigInt(m) * 4099n));
  for (let u = 0; u < c.users; u++) index.ids.user.getOrAssign(String(userExternal(u)));
  for (let l = 0; l < c.locations; l++) index.ids.location.getOrAssign(String(3_000_000_000n + BigInt(l)));
  let postings = 0;
  // Lists stream into the frozen tier one at a time, as a snapshot load does.
  const base = new FrozenPostingsBuilder();
  const load = (term: TermRef, list: Uint32Array) => {
    if (list.length === 0) return;
    postings += list.length;
    if (isUniverse(term)) return index.addMany(term, list);
    const bm = new RoaringBitmap32(list);
    bm.runOptimize();
    base.add(term as SlotKey, bm);
    bm.clear();
  };
  const all = new Uint32Array(c.media).map((_, i) => i);
  load({ kind: 'live' }, all);
  load(
    { kind: 'public' },
    all.filter((m) => c.isPublic[m] === 1),
  );
  load(
    { kind: 'users' },
    new Uint32Array(c.users).map((_, i) => i),
  );
  const each = (csr: Csr, n: number, term: (i: number) => TermRef) => {
    for (let i = 0; i < n; i++) load(term(i), csrList(csr, i));
  };
  each(c.tagPostings, c.tags, (i) => ({ kind: 'tag', tag: `t${i}` }));
  each(c.authorPostings, c.users, (id) => ({ kind: 'author', id }));
  each(c.locPostings, c.locations, (id) => ({ kind: 'loc', id }));
  each(c.follows, c.users, (id) => ({ kind: 'follows', id }));
  each(c.followers, c.users, (id) => ({ kind: 'followers', id }));
  index.loadBase(base.finish());
  return { index, postings };
}

function time(queries: string[], fn: (q: string) => number): number[] {
  const out: number[] = [];
  let sink = 0;
  for (const q of queries) {
    const start = process.hrtime.bigint();
    sink += fn(q);
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  if (sink < 0) console.log(sink);
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (ms: number) => ms.toFixed(3);
