/**
 * `npm run bench -- search [--users N] [--hashtags N] [--seed S] [--samples N] [--baseline-samples N]`:
 * loads N users and N hashtags with realistic names (seeded, heavy-tailed
 * counts) into MemorySearchIndex and times suggests for 1-, 2- and 3-letter
 * prefixes, with and without onlyIds (100 and 100k ids), then write
 * throughput. The baseline, measured in the same run on the same queries, is a
 * linear scan over a plain array with the folded keys precomputed.
 */
import os from 'node:os';
import { MemorySearchIndex } from '../../platform/adapters/memory-search';
import type { SearchEntry } from '../../platform/ports/search-index';
import { foldedPrefixKeys } from '../../platform/text/fold-text';
import { printTable } from './support/print-table';
import { seededRandom } from '../../platform/seeded-random';
import { parseFlags, percentile } from './support/seeded-random';

const LIMIT = 10;

const FIRST = (
  'James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara Richard Susan ' +
  'Joseph Jessica Thomas Sarah Chris Karen Daniel Lisa Matthew Nancy Anthony Sandra Mark Ashley Paul ' +
  'Emily Steven Donna Andrew Michelle Kevin Carol Brian Amanda George Melissa Edward Deborah Ronald ' +
  'José María Zoë Chloé Björn Søren Jürgen Élodie François Inés Raúl Ngọc Łukasz Dvořák Ana Ali ' +
  'Mohammed Fatima Ahmed Omar Yusuf Aisha Wei Li Hiroshi Yuki Sakura Minjun Jiwoo Priya Arjun Ravi ' +
  'Olga Ivan Dmitri Anastasia Nikos Eleni Giorgos Lucas Mateo Sofia Valentina Camila Gabriel Noah Emma'
).split(' ');
const NATIVE = 'Иван Ольга Дмитрий Νίκος Ελένη 山田 佐藤 김민준 이서연 محمد فاطمة Ünal Ağa'.split(' ');
const SYLLABLES =
  'ka lo mi sun set tra vel na ri el an to be ch ster son ber ger mann ez ova ski di la mo re'.split(' ');
const WORDS = (
  'sunset love travel food photo style art nature beach summer fitness music fashion life insta ' +
  'daily vibes happy coffee city night dog cat baby wedding design home party friends family ' +
  'gram lover goals mood outfit makeup hair skin yoga run bike hike mountain sea sky flower ' +
  'street urban vintage retro black white red blue green gold selfie smile fun cute moda viaje ' +
  'comida amor café paris tokyo london berlin münchen istanbul москва 東京 서울 مصر'
).split(' ');

interface Corpus {
  users: SearchEntry[];
  hashtags: SearchEntry[];
}

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    users: 1_000_000,
    hashtags: 1_000_000,
    seed: 7,
    samples: 2000,
    'baseline-samples': 25,
  });
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  console.log(
    `search benchmark: ${flags.users.toLocaleString()} users, ${flags.hashtags.toLocaleString()} hashtags, ` +
      `seed ${flags.seed}, limit ${LIMIT}, node ${process.version}, ${os.cpus().length} cpus, load ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
  );

  // The index is measured alone: its memory after the input is dropped, the
  // baseline built afterwards from an identical corpus (same seed).
  gc();
  const before = memory();
  process.stdout.write('generating corpus... ');
  const corpus = makeCorpus(flags.users, flags.hashtags, seededRandom(flags.seed));
  console.log('done');
  const index = MemorySearchIndex.create();
  const t0 = performance.now();
  const { failed } = await index.upsert(corpus.users);
  const usersMs = performance.now() - t0;
  const t1 = performance.now();
  const loaded = await index.bulkLoad(streamOf(corpus.hashtags));
  const hashtagsMs = performance.now() - t1;
  if (failed.length + loaded.failed.length > 0) throw new Error('the corpus has invalid entries');
  corpus.users = [];
  corpus.hashtags = [];
  gc();
  const indexBytes = memory() - before;
  const { users: us, hashtags: hs } = index.stats();
  console.log(
    `build: ${flags.users.toLocaleString()} users in one upsert call ${secs(usersMs)} ` +
      `(${perSec((flags.users / usersMs) * 1000)} entries/s), ${flags.hashtags.toLocaleString()} hashtags ` +
      `by bulkLoad from an async stream ${secs(hashtagsMs)} (${perSec((flags.hashtags / hashtagsMs) * 1000)} entries/s)`,
  );
  console.log(
    `index memory: ${mb(indexBytes)} (heap + array buffers, entries included, ` +
      `${(indexBytes / (flags.users + flags.hashtags)).toFixed(0)} B/entry); ` +
      `sorted keys: users ${us.baseKeys.toLocaleString()}, hashtags ${hs.baseKeys.toLocaleString()}`,
  );

  process.stdout.write('building the baseline... ');
  const again = makeCorpus(flags.users, flags.hashtags, seededRandom(flags.seed));
  const baseline = { users: new Baseline(again.users), hashtags: new Baseline(again.hashtags) };
  again.users = [];
  again.hashtags = [];
  const random = seededRandom(flags.seed + 1);
  const queries = {
    users: prefixSamples(baseline.users, random, 600),
    hashtags: prefixSamples(baseline.hashtags, random, 600),
  };
  console.log('done');
  const pickIds = (n: number) => Array.from({ length: n }, () => userId(Math.floor(random() * flags.users)));

  await spotCheck(index, baseline, queries, pickIds(flags.users / 100));

  // The API builds new id strings per request: no cached hashes.
  const fresh = (ids: string[]) => ids.map((id) => (' ' + id).slice(1));
  const rows: string[][] = [];
  for (const kind of ['users', 'hashtags'] as const) {
    for (const len of [1, 2, 3]) {
      const only: [string, number][] =
        kind === 'users'
          ? [
              ['', 0],
              ['100 ids', 100],
              ['100k ids', 100_000],
            ]
          : [['', 0]];
      for (const [label, n] of only) {
        const qs = queries[kind][len]!;
        const samples = n >= 100_000 ? Math.max(50, flags.samples / 10) : flags.samples;
        const lists = n > 0 ? Array.from({ length: Math.min(20, samples) }, () => pickIds(n)) : [];
        const timed = await time(samples, async (i) => {
          const onlyIds = n > 0 ? fresh(lists[i % lists.length]!) : undefined;
          const q = qs[i % qs.length]!;
          const start = performance.now();
          await index.suggest(kind, q, { limit: LIMIT, onlyIds });
          return performance.now() - start;
        });
        const base = await time(flags['baseline-samples'], async (i) => {
          const onlyIds = n > 0 ? lists[i % lists.length] : undefined;
          const start = performance.now();
          baseline[kind].suggest(qs[i % qs.length]!, LIMIT, onlyIds);
          return performance.now() - start;
        });
        const p50 = percentile(timed, 50);
        const b50 = percentile(base, 50);
        rows.push([
          `${kind}, ${len}-char prefix${label ? `, onlyIds ${label}` : ''}`,
          ms(p50),
          ms(percentile(timed, 99)),
          ms(Math.max(...timed)),
          ms(b50),
          `${(b50 / p50).toFixed(0)}x`,
        ]);
      }
    }
  }
  console.log();
  printTable(['suggest (limit 10)', 'p50', 'p99', 'max', 'baseline p50', 'speed-up'], rows);
  console.log();
  await writes(index, random, flags.users);
  await index.close();
}

/** The baseline: every entry's folded keys in a plain array, scanned in full per query. */
class Baseline {
  readonly ids: string[] = [];
  readonly keys: string[][] = [];
  readonly counts: number[] = [];

  constructor(entries: SearchEntry[]) {
    for (const e of entries) {
      const names = e.kind === 'users' ? [e.entry.username, e.entry.fullName] : namesOf(e);
      const keys = new Set(names.flatMap((n) => foldedPrefixKeys(n)));
      this.ids.push(entryIdOf(e));
      this.keys.push([...keys]);
      this.counts.push(countOf(e));
    }
  }

  suggest(folded: string, limit: number, onlyIds?: string[]): string[] {
    const allowed = onlyIds && new Set(onlyIds);
    const hits: number[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      if (allowed && !allowed.has(this.ids[i]!)) continue;
      if (this.keys[i]!.some((k) => k.startsWith(folded))) hits.push(i);
    }
    hits.sort((a, b) => this.counts[b]! - this.counts[a]! || (this.ids[a]! < this.ids[b]! ? -1 : 1));
    return hits.slice(0, limit).map((i) => this.ids[i]!);
  }
}

/** A benchmark that answers wrongly is worthless: compare with the baseline first. */
async function spotCheck(
  index: MemorySearchIndex,
  baseline: Record<'users' | 'hashtags', Baseline>,
  queries: Record<'users' | 'hashtags', string[][]>,
  someUserIds: string[],
): Promise<void> {
  for (const kind of ['users', 'hashtags'] as const) {
    for (const len of [1, 2, 3]) {
      const q = queries[kind][len]![0]!;
      const only = kind === 'users' ? someUserIds : undefined;
      for (const onlyIds of [undefined, only]) {
        const got = (await index.suggest(kind, q, { limit: LIMIT, onlyIds })).map((h) => h.id);
        const want = baseline[kind].suggest(q, LIMIT, onlyIds);
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          throw new Error(`suggest ${kind} "${q}" differs from the baseline: ${got} vs ${want}`);
        }
      }
    }
  }
}

async function writes(index: MemorySearchIndex, random: () => number, users: number): Promise<void> {
  const rows: string[][] = [];
  const batches = async (label: string, count: number, make: (i: number) => SearchEntry) => {
    const merges = () => {
      const { users: u, hashtags: h } = index.stats();
      return [u.deltaMerges + h.deltaMerges, u.baseMerges + h.baseMerges] as const;
    };
    const [deltaBefore, baseBefore] = merges();
    const calls: number[] = [];
    const start = performance.now();
    for (let i = 0; i < count; i += 100) {
      const batch = Array.from({ length: 100 }, (_, j) => make(i + j));
      const t = performance.now();
      await index.upsert(batch);
      calls.push(performance.now() - t);
    }
    const total = performance.now() - start;
    const [deltaAfter, baseAfter] = merges();
    rows.push([
      label,
      perSec((count / total) * 1000),
      ms(percentile(calls, 50)),
      ms(percentile(calls, 99)),
      ms(Math.max(...calls)),
      `${deltaAfter - deltaBefore} / ${baseAfter - baseBefore}`,
    ]);
  };
  await batches('hashtag totalPosts changes (rank only)', 200_000, () => {
    const id = hashtagTag(Math.floor(random() * 1000));
    return { kind: 'hashtags', entry: { tag: id, displayName: id, totalPosts: Math.floor(random() * 1e6) } };
  });
  await batches('new users (overlay, then merges)', 100_000, (i) => ({
    kind: 'users',
    entry: {
      id: String(2e15 + i),
      username: `newbie${i}`,
      fullName: `New Person ${i}`,
      followerCount: i % 7,
    },
  }));
  await batches('user renames', 50_000, (i) => ({
    kind: 'users',
    entry: {
      id: userId(Math.floor(random() * users)),
      username: `renamed${i}`,
      fullName: `Renamed ${i}`,
      followerCount: 3,
    },
  }));
  printTable(
    ['upsert, batches of 100', 'entries/s', 'call p50', 'call p99', 'call max', 'delta / base merges'],
    rows,
  );
  console.log('merges run inside the upsert call that fills a level: "call max" is the longest stall');
}

export function makeCorpus(users: number, hashtags: number, random: () => number): Corpus {
  const pick = <T>(list: readonly T[], skew = 1.5) =>
    list[Math.floor(list.length * Math.pow(random(), skew))]!;
  const surnames = Array.from({ length: 30_000 }, () => {
    let s = '';
    for (let n = 2 + Math.floor(random() * 3); n > 0; n--) s += pick(SYLLABLES, 1);
    return s[0]!.toUpperCase() + s.slice(1);
  });
  const ascii = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase();
  const out: Corpus = { users: [], hashtags: [] };
  for (let i = 0; i < users; i++) {
    const first = random() < 0.05 ? pick(NATIVE, 1) : pick(FIRST);
    const last = pick(surnames, 2);
    const style = random();
    const handle =
      style < 0.3
        ? `${ascii(first)}${ascii(last)}`
        : style < 0.6
          ? `${ascii(first)}_${ascii(last)}${Math.floor(random() * 100)}`
          : style < 0.8
            ? `${ascii(first)}.${ascii(last)}`
            : `${pick(WORDS)}${ascii(last)}${Math.floor(random() * 1000)}`;
    out.users.push({
      kind: 'users',
      entry: {
        id: userId(i),
        username: handle || `user${i}`,
        fullName: random() < 0.1 ? '' : `${first} ${last}`,
        followerCount: heavyTail(random),
      },
    });
  }
  for (let i = 0; i < hashtags; i++) {
    const tag = hashtagTag(i);
    out.hashtags.push({ kind: 'hashtags', entry: { tag, displayName: tag, totalPosts: heavyTail(random) } });
  }
  return out;
}

/** Tags from two vocabulary words, numbered once the pairs run out (sunsetlove_3). */
function hashtagTag(i: number): string {
  const w = (k: number) => WORDS[k % WORDS.length]!;
  const a = w(i);
  const b = w(Math.floor(i / WORDS.length));
  const rest = Math.floor(i / (WORDS.length * WORDS.length));
  return rest === 0 ? `${a}${b}` : `${a}${b}_${rest}`;
}

const userId = (i: number) => String(1e15 + i * 13);

/** Pareto-like: about 40% zeros, a long tail into the millions. */
const heavyTail = (random: () => number) => Math.min(500_000_000, Math.floor(Math.pow(random(), -1.3)) - 1);

/** Typed prefixes as people type them: a random entry's key, cut to 1-3 characters. */
function prefixSamples(b: Baseline, random: () => number, n: number): string[][] {
  const out: string[][] = [[], [], [], []];
  for (let len = 1; len <= 3; len++) {
    while (out[len]!.length < n) {
      const keys = b.keys[Math.floor(random() * b.keys.length)]!;
      const key = keys[Math.floor(random() * keys.length)];
      if (key && [...key].length >= len) out[len]!.push([...key].slice(0, len).join(''));
    }
  }
  return out;
}

async function* streamOf(entries: SearchEntry[]): AsyncGenerator<SearchEntry> {
  for (let i = 0; i < entries.length; i += 1000) {
    await Promise.resolve();
    yield* entries.slice(i, i + 1000);
  }
}

async function time(samples: number, once: (i: number) => Promise<number>): Promise<number[]> {
  for (let i = 0; i < Math.min(50, samples); i++) await once(i);
  const out: number[] = [];
  for (let i = 0; i < samples; i++) out.push(await once(i));
  return out;
}

const entryIdOf = (e: SearchEntry) => (e.kind === 'hashtags' ? e.entry.tag : e.entry.id);
const countOf = (e: SearchEntry) =>
  e.kind === 'users'
    ? e.entry.followerCount
    : e.kind === 'hashtags'
      ? e.entry.totalPosts
      : e.entry.mediaCount;
const namesOf = (e: SearchEntry) =>
  e.kind === 'users'
    ? [e.entry.username, e.entry.fullName]
    : e.kind === 'hashtags'
      ? [e.entry.tag, e.entry.displayName]
      : [e.entry.name];
const memory = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const ms = (x: number) =>
  x >= 100 ? `${x.toFixed(0)} ms` : x >= 1 ? `${x.toFixed(2)} ms` : `${(x * 1000).toFixed(0)} µs`;
const secs = (x: number) => `${(x / 1000).toFixed(1)} s`;
const mb = (x: number) => `${(x / 2 ** 20).toFixed(0)} MB`;
const perSec = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(1)}k`);
