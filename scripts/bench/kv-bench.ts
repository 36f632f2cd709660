/**
 * `npm run bench -- kv [--keys N] [--seed S] [--rounds R]`: loads N
 * hashtag-page-like documents (~260 bytes of msgpack) into lmdb and into
 * SQLite (the baseline, measured in the same run through the same port, both
 * committing durably), then times random gets, getMany of 100, 1000-put
 * batches and a full scan, and names the pick. Each figure is the median of R
 * rounds that alternate between the stores, so load from other processes on
 * the machine hits both alike.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Packr } from 'msgpackr';
import { LmdbKvStore } from '../../platform/adapters/lmdb-kv';
import { SqliteKvStore } from '../../platform/adapters/sqlite-kv';
import type { KvOp, KvStore } from '../../platform/ports/kv-store';
import { seededRandom } from '../../platform/seeded-random';
import { parseFlags, percentile } from './support/seeded-random';
import { printTable } from './support/print-table';

const TABLE = 'hashtag_pages';
const BATCH = 1000;
const MANY = 100;
/** The figures the issue reports for lmdb on this machine. */
const CLAIM = { getsPerSec: 400_000, putsPerSec: 55_000 };
/** How far a measurement may sit from a claim and still confirm it. */
const CLAIM_TOLERANCE = 0.25;

type StoreName = 'lmdb' | 'sqlite';
type BenchStore = KvStore & { getSync(table: string, key: string): unknown };
type Doc = ReturnType<typeof makeDoc>;

interface Figure {
  name: string;
  /** Runs round `r` against `store`; returns operations per second. */
  measure(store: BenchStore, r: number): Promise<number>;
}

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, { keys: 200_000, seed: 42, rounds: 3 });
  if (!Number.isSafeInteger(flags.keys) || flags.keys < BATCH) throw new Error(`--keys must be >= ${BATCH}`);
  if (!Number.isSafeInteger(flags.rounds) || flags.rounds < 1) throw new Error('--rounds must be >= 1');
  const random = seededRandom(flags.seed);
  const keys = Array.from({ length: flags.keys }, (_, i) => `tag:${word(random)}_${i.toString(36)}`);
  const pickKey = () => keys[pick(random, keys.length)]!;
  const docs = keys.map((key) => makeDoc(key, random));
  const packr = new Packr();
  const encoded = docs.slice(0, 2000).map((d) => packr.pack(d));
  const avgBytes = encoded.reduce((n, b) => n + b.length, 0) / encoded.length;
  console.log(
    `kv benchmark: ${flags.keys.toLocaleString()} docs of ~${avgBytes.toFixed(0)} bytes (msgpack), seed ${flags.seed}, ` +
      `median of ${flags.rounds} alternating rounds, node ${process.version}, ${os.cpus().length} cpus`,
  );
  console.log('both stores commit durably: lmdb noSync=false, sqlite WAL + synchronous=FULL');

  // The same random work for both stores, one slice per round.
  const getOrder = Array.from({ length: flags.rounds }, () => Array.from({ length: 100_000 }, pickKey));
  const manyOrder = Array.from({ length: flags.rounds }, () =>
    Array.from({ length: 1000 }, () => Array.from({ length: MANY }, pickKey)),
  );
  const putBatches = Array.from({ length: flags.rounds }, (_, r) =>
    Array.from({ length: 20 }, () =>
      Array.from({ length: BATCH }, (): KvOp => {
        const key = pickKey();
        return { type: 'put', table: TABLE, key, value: makeDoc(key, random, r + 1) };
      }),
    ),
  );

  const figures: Figure[] = [
    {
      name: 'get (port, awaited)',
      measure: (store, r) =>
        rate(getOrder[r]!.length, async () => {
          for (const key of getOrder[r]!) if ((await store.get(TABLE, key)) === undefined) throw missing(key);
        }),
    },
    {
      name: 'getSync (outside the port)',
      measure: (store, r) =>
        rate(getOrder[r]!.length, async () => {
          for (const key of getOrder[r]!) if (store.getSync(TABLE, key) === undefined) throw missing(key);
        }),
    },
    {
      name: `getMany of ${MANY} (keys/s)`,
      measure: (store, r) =>
        rate(manyOrder[r]!.length * MANY, async () => {
          for (const batch of manyOrder[r]!) {
            if ((await store.getMany(TABLE, batch)).includes(undefined)) throw missing(batch.join());
          }
        }),
    },
    {
      name: `put in ${BATCH}-put batches`,
      measure: (store, r) =>
        rate(putBatches[r]!.length * BATCH, async () => {
          for (const batch of putBatches[r]!) await store.batch(batch);
        }),
    },
    {
      name: 'full scan (entries/s)',
      measure: (store) =>
        rate(keys.length, async () => {
          let n = 0;
          for await (const entry of store.scan(TABLE)) if (entry[1] !== undefined) n++;
          if (n !== keys.length) throw new Error(`scanned ${n} of ${keys.length} entries`);
        }),
    },
  ];

  const dir = await mkdtemp(path.join(os.tmpdir(), 'picsearch-kv-bench-'));
  const stores: [StoreName, BenchStore][] = [];
  try {
    stores.push(['lmdb', LmdbKvStore.open({ path: path.join(dir, 'lmdb') })]);
    stores.push(['sqlite', SqliteKvStore.open({ path: path.join(dir, 'sqlite', 'kv.sqlite') })]);
    const results = new Map<string, Record<StoreName, number>>();
    for (const [name, store] of stores) {
      process.stdout.write(`${name}: loading... `);
      const loaded = await load(store, keys, docs);
      rowOf(results, 'load (1000-put batches)')[name] = loaded;
      await check(store, keys, docs, random);
      // Untimed warm-up: hot JIT and page cache for both.
      for (const key of getOrder[0]!.slice(0, 20_000)) await store.get(TABLE, key);
      console.log('ok');
    }
    for (const figure of figures) {
      process.stdout.write(`${figure.name}... `);
      const samples: Record<StoreName, number[]> = { lmdb: [], sqlite: [] };
      for (let r = 0; r < flags.rounds; r++) {
        // Alternate which store goes first so neither always runs on the other's leftovers.
        const order = r % 2 === 0 ? stores : [...stores].reverse();
        for (const [name, store] of order) samples[name].push(await figure.measure(store, r));
      }
      const row = rowOf(results, figure.name);
      row.lmdb = percentile(samples.lmdb, 50);
      row.sqlite = percentile(samples.sqlite, 50);
      console.log('done');
    }

    // Decoding is work every get does whatever the store: its rate bounds gets/s.
    let decoded = 0;
    const decodeRate = await rate(200_000, async () => {
      for (let i = 0; i < 200_000; i++)
        if (packr.unpack(encoded[i % encoded.length]!) !== undefined) decoded++;
    });

    console.log();
    printTable(
      ['figure (ops/s, median, higher is better)', 'lmdb', 'sqlite', 'lmdb/sqlite'],
      [...results].map(([figure, r]) => [figure, perSec(r.lmdb), perSec(r.sqlite), ratio(r.lmdb / r.sqlite)]),
    );
    console.log(
      `msgpack decode alone (no store): ${perSec(decodeRate)} docs/s over ${decoded} docs, a ceiling for any get`,
    );
    console.log();

    const lmdb = (figure: string) => results.get(figure)!.lmdb;
    const gets = lmdb('getSync (outside the port)');
    const portGets = lmdb('get (port, awaited)');
    const puts = lmdb(`put in ${BATCH}-put batches`);
    console.log(
      `issue's claim for lmdb: ~${perSec(CLAIM.getsPerSec)} gets/s -> measured ${perSec(gets)} (getSync), ` +
        `${perSec(portGets)} (awaited get): ${claimWord(Math.max(gets, portGets), CLAIM.getsPerSec)}; ` +
        `~${perSec(CLAIM.putsPerSec)} puts/s in ${BATCH}-put transactions -> measured ${perSec(puts)}: ` +
        `${claimWord(puts, CLAIM.putsPerSec)} (tolerance ±${CLAIM_TOLERANCE * 100}%)`,
    );
    const ratios = [...results.values()].map((r) => r.lmdb / r.sqlite);
    const geoMean = Math.exp(ratios.reduce((s, x) => s + Math.log(x), 0) / ratios.length);
    const wins = ratios.filter((x) => x >= 1).length;
    console.log(
      `verdict: pick ${geoMean >= 1 ? 'lmdb' : 'sqlite'}: lmdb/sqlite geometric mean ${ratio(geoMean)} ` +
        `over ${ratios.length} figures, lmdb ahead on ${wins} of ${ratios.length}`,
    );
  } finally {
    for (const [, store] of stores) await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function rowOf(results: Map<string, Record<StoreName, number>>, figure: string): Record<StoreName, number> {
  const row = results.get(figure) ?? { lmdb: Number.NaN, sqlite: Number.NaN };
  results.set(figure, row);
  return row;
}

/** Loads every doc in 1000-put batches; returns puts/s. */
async function load(store: KvStore, keys: string[], docs: Doc[]): Promise<number> {
  return rate(keys.length, async () => {
    for (let i = 0; i < keys.length; i += BATCH) {
      const ops: KvOp[] = [];
      for (let j = i; j < Math.min(i + BATCH, keys.length); j++) {
        ops.push({ type: 'put', table: TABLE, key: keys[j]!, value: docs[j] });
      }
      await store.batch(ops);
    }
  });
}

/** A benchmark of a store that loses data is worthless: spot-check before timing. */
async function check(store: KvStore, keys: string[], docs: Doc[], random: () => number): Promise<void> {
  if ((await store.count(TABLE)) !== keys.length) throw new Error('count does not match the loaded docs');
  for (let n = 0; n < 200; n++) {
    const i = pick(random, keys.length);
    const got = await store.get<Doc>(TABLE, keys[i]!);
    if (JSON.stringify(got) !== JSON.stringify(docs[i])) throw new Error(`doc ${keys[i]} did not round-trip`);
  }
}

/** Times `body`, which performs `ops` operations; returns ops/s. */
async function rate(ops: number, body: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await body();
  return ops / (Number(process.hrtime.bigint() - start) / 1e9);
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'sun',
  'set',
  'tra',
  'vel',
  'food',
  'cat',
  'dog',
  'art',
  'ny',
  'pho',
  'to',
];

function word(random: () => number): string {
  let w = '';
  for (let n = 1 + pick(random, 4); n > 0; n--) w += SYLLABLES[pick(random, SYLLABLES.length)];
  return w;
}

/** A cached hashtag page: counts, the top media ids, a resume cursor and related tags. */
function makeDoc(tag: string, random: () => number, version = 0) {
  return {
    tag,
    version,
    mediaCount: pick(random, 5_000_000),
    updatedAt: 1_700_000_000_000 + pick(random, 100_000_000),
    top: Array.from({ length: 12 }, () => 1_000_000_000_000 + pick(random, 1e15)),
    cursor: Array.from({ length: 24 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[pick(random, 36)]).join(
      '',
    ),
    related: Array.from({ length: 4 }, () => word(random)),
    locale: 'en',
  };
}

const pick = (random: () => number, n: number) => Math.floor(random() * n);
const missing = (key: string) => new Error(`key ${key} missing`);
const perSec = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(1)}k`);
const ratio = (x: number) => `${x.toFixed(2)}x`;

function claimWord(measured: number, claimed: number): string {
  const off = measured / claimed - 1;
  const pct = `${off >= 0 ? '+' : ''}${(off * 100).toFixed(0)}%`;
  return Math.abs(off) <= CLAIM_TOLERANCE ? `confirmed (${pct})` : `refuted (${pct})`;
}
