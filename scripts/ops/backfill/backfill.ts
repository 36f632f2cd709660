import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { COUNTER_WATERMARKS, CountingWorker } from '../../../indexer/counting/counting-worker';
import { checkpointsReached } from '../../../indexer/checkpoints-reached';
import { IndexerPipeline } from '../../../indexer/indexer-pipeline';
import { KV } from '../../../indexer/kv-tables';
import type { BitmapSnapshots } from '../../../indexer/postings/bitmap-snapshots';
import { TOPICS } from '../../../indexer/topics';
import {
  TREND_TOTALS,
  TREND_WATERMARKS,
  TREND_WINDOWS,
  parseWindowKey,
} from '../../../indexer/trending/trend-tables';
import { TrendingPipeline } from '../../../indexer/trending/trending-pipeline';
import { LmdbKvStore } from '../../../platform/adapters/lmdb-kv';
import { AppError } from '../../../platform/errors';
import type { EventLog } from '../../../platform/ports/event-log';
import type { KvStore } from '../../../platform/ports/kv-store';
import type { SearchEntry, SearchIndex } from '../../../platform/ports/search-index';
import { caughtUpBitmaps } from '../caught-up-bitmaps';
import { storedCheckpoints } from '../covered-positions';
import type { OpsContext } from '../ops-context';
import { readDocuments } from '../reindex/kv-documents';
import { endOffsets, TopicTail, type Offsets } from '../topic-tail';
import type { BackfillCheckpoint } from './backfill-checkpoint';
import { importNdjson } from './import-ndjson';
import { derivedCheckpoint, mirrorTables, sameCount, zeroCount, type MirrorSpec } from './mirror-tables';
import { OverlayKvStore } from './overlay-kv-store';
import { privateGroupLog } from './private-group-log';

export interface BackfillOptions {
  mode: 'embedded' | 'distributed';
  log: EventLog;
  kv: KvStore;
  snapshots: BitmapSnapshots;
  /** Gets the hashtag entries whose counts changed; none embedded. */
  search?: SearchIndex;
  /** An NDJSON export to import first: a path, or `-` for stdin. */
  fromFile?: string;
  /** Events per append of the import; default 1000. */
  importChunk?: number;
  stdin?: Readable;
  /** Limit the rewrite to hashtags touched in POST_HASHTAG from here (per partition, or by time). */
  from?: { offset: number } | { timestamp: number };
  /** How long the live indexer may make no progress before the index stage gives up (distributed). */
  stallMs?: number;
  counter?: { flushEvents?: number; flushIntervalMs?: number };
}

export interface BackfillResult {
  puts: number;
  deletes: number;
  bitmaps: { position: number; written: boolean };
  scope: 'all' | number;
}

const SCRATCH_TABLES = new Set([
  KV.hashtagCounts,
  COUNTER_WATERMARKS,
  TREND_WINDOWS,
  TREND_TOTALS,
  TREND_WATERMARKS,
  KV.checkpoints,
]);

/**
 * Rebuilds the derived state from the log: the bitmap snapshot (POSTINGS
 * replayed from its start), hashtag counts and trending windows (the
 * project's own counting worker and trending scorer, run from the start of
 * POST_HASHTAG into a scratch store, under private consumer groups), then
 * makes the live tables equal to the rebuilt ones, consumer checkpoints and
 * seq watermarks included: the result is exactly what a clean run of those
 * consumers produces, and a second backfill changes nothing. With
 * `fromFile`, the export's events are first appended to POST_PUBLISH and
 * indexed (a new cluster's first load).
 */
export async function backfill(
  o: BackfillOptions,
  ctx: OpsContext<BackfillCheckpoint>,
): Promise<BackfillResult> {
  const state: BackfillCheckpoint = ctx.checkpoint.state ?? {
    stage: o.fromFile ? 'import' : 'index',
    importedLines: 0,
    runId: randomBytes(4).toString('hex'),
    ...ctx.base(),
  };
  const save = () => ctx.save({ stage: state.stage, importedLines: state.importedLines, runId: state.runId });
  if (state.stage === 'import') {
    await importNdjson(
      { log: o.log, kv: o.kv, from: o.fromFile!, stdin: o.stdin, chunkSize: o.importChunk },
      ctx,
      state,
      save,
    );
    state.stage = 'index';
    await save();
  }
  if (state.stage === 'index') {
    if (!ctx.dryRun) await indexEverything(o, ctx);
    state.stage = 'derive';
    await save();
    ctx.throwIfAborted();
  }
  const scratch = LmdbKvStore.open({ path: ctx.checkpoint.path('scratch-kv'), noSync: true });
  try {
    const liveBefore = await liveCheckpoints(o);
    await derive(o, ctx, scratch, state);
    const { index, position } = await caughtUpBitmaps(o.log, undefined, ctx);
    ctx.throwIfAborted();
    const scope = o.from === undefined ? undefined : await touchedTags(o, ctx);
    if (JSON.stringify(await liveCheckpoints(o)) !== JSON.stringify(liveBefore)) {
      throw new AppError(
        'LIVE_CONSUMERS_RUNNING',
        'the counting worker or trending scorer moved on during the backfill: stop them (npm run counter) and run again',
      );
    }
    state.stage = 'mirror';
    await save();
    const inScope = (tag: string) => scope === undefined || scope.has(tag);
    const specs: MirrorSpec[] = [
      { table: KV.hashtagCounts, same: sameCount, blank: zeroCount, keys: inScope },
      { table: COUNTER_WATERMARKS },
      { table: TREND_WINDOWS, keys: (k) => inScope(parseWindowKey(k).tag) },
      { table: TREND_TOTALS, keys: inScope },
      { table: TREND_WATERMARKS },
      { table: KV.checkpoints, keys: derivedCheckpoint },
    ];
    const changedTags = new Set<string>();
    const totals = await mirrorTables(o.kv, scratch, specs, ctx, (table, key) => {
      if (table === KV.hashtagCounts) changedTags.add(key);
    });
    if (o.search && !ctx.dryRun && changedTags.size > 0) await updateSearch(o.search, o.kv, [...changedTags]);
    if (!ctx.dryRun) await o.snapshots.save(index, { postings: position });
    await ctx.checkpoint.clear();
    return {
      ...totals,
      bitmaps: { position, written: !ctx.dryRun },
      scope: scope === undefined ? 'all' : scope.size,
    };
  } finally {
    await scratch.close();
  }
}

/** Every upload event indexed: in-process when embedded, by the live indexer when distributed. */
async function indexEverything(o: BackfillOptions, ctx: OpsContext<BackfillCheckpoint>): Promise<void> {
  const covered = async () =>
    (await checkpointsReached(o.log, o.kv, 'indexer', TOPICS.postPublish)) &&
    (await checkpointsReached(o.log, o.kv, 'curated-top', TOPICS.hashtagTop));
  ctx.progress.phase('index events');
  if (o.mode === 'embedded') {
    const pipeline = await IndexerPipeline.start({
      log: o.log,
      kv: o.kv,
      roles: ['index', 'curated-top'],
      logger: ctx.logger,
    });
    try {
      while (!(await covered())) {
        ctx.throwIfAborted();
        await ctx.clock.sleep(20);
      }
    } finally {
      await pipeline.stop();
    }
  } else {
    const stallMs = o.stallMs ?? 60_000;
    let last = '';
    let progressAt = ctx.clock.now();
    while (!(await covered())) {
      ctx.throwIfAborted();
      const now = JSON.stringify(await liveCheckpoints(o, 'indexer'));
      if (now !== last) [last, progressAt] = [now, ctx.clock.now()];
      if (ctx.clock.now() - progressAt > stallMs) {
        throw new AppError(
          'INDEXER_NOT_RUNNING',
          'the indexer is not consuming POST_PUBLISH: start it (npm run indexer)',
        );
      }
      await ctx.clock.sleep(100);
    }
  }
  ctx.progress.done();
}

/** Runs the counting worker and trending scorer over all of POST_HASHTAG into the scratch store. */
async function derive(
  o: BackfillOptions,
  ctx: OpsContext<BackfillCheckpoint>,
  scratch: KvStore,
  state: BackfillCheckpoint,
): Promise<void> {
  const overlay = new OverlayKvStore(o.kv, scratch, SCRATCH_TABLES);
  // Start offsets come from the scratch checkpoints, not the group: a fresh group per process
  // does not wait out the session of a member a kill -9 left behind.
  const log = privateGroupLog(
    o.log,
    `backfill-${state.runId}-${process.pid}-${ctx.clock.now().toString(36)}`,
  );
  const end = await endOffsets(o.log, TOPICS.postHashtag);
  const total = Object.values(end).reduce((a, b) => a + b, 0);
  ctx.progress.phase('rebuild counts and trends', total);
  const flush = {
    flushEvents: o.counter?.flushEvents ?? 5000,
    flushIntervalMs: o.counter?.flushIntervalMs ?? 200,
  };
  const counter = new CountingWorker({ log, kv: overlay, logger: ctx.logger, clock: ctx.clock, ...flush });
  const trending = new TrendingPipeline({ log, kv: overlay, logger: ctx.logger, clock: ctx.clock, ...flush });
  await counter.start();
  await trending.start();
  try {
    let reported = 0;
    for (;;) {
      const c = await storedCheckpoints(scratch, 'counter', TOPICS.postHashtag, Object.keys(end).map(Number));
      const t = await storedCheckpoints(
        scratch,
        'trending',
        TOPICS.postHashtag,
        Object.keys(end).map(Number),
      );
      const done = Object.values(c).reduce((a, b) => a + b, 0);
      ctx.progress.increment(done - reported);
      ctx.stats.read(done - reported);
      reported = done;
      if (reaches(c, end) && reaches(t, end)) break;
      ctx.throwIfAborted();
      await ctx.clock.sleep(50);
    }
  } finally {
    await counter.stop();
    await trending.stop();
  }
  ctx.progress.done();
}

const reaches = (have: Offsets, want: Offsets) =>
  Object.entries(want).every(([p, o]) => (have[Number(p)] ?? 0) >= o);

async function liveCheckpoints(o: BackfillOptions, ...consumers: string[]): Promise<Offsets[]> {
  const partitions = Object.keys(await endOffsets(o.log, TOPICS.postHashtag)).map(Number);
  const publish = Object.keys(await endOffsets(o.log, TOPICS.postPublish)).map(Number);
  const names = consumers.length > 0 ? consumers : ['counter', 'trending'];
  return Promise.all(
    names.map((c) =>
      c === 'indexer'
        ? storedCheckpoints(o.kv, c, TOPICS.postPublish, publish)
        : storedCheckpoints(o.kv, c, TOPICS.postHashtag, partitions),
    ),
  );
}

/** Hashtags named in POST_HASHTAG from the `from` position on: the scope of a partial rewrite. */
async function touchedTags(o: BackfillOptions, ctx: OpsContext<BackfillCheckpoint>): Promise<Set<string>> {
  const end = await endOffsets(o.log, TOPICS.postHashtag);
  const from =
    'timestamp' in o.from!
      ? Object.fromEntries(
          (await o.log.offsetsForTimestamp(TOPICS.postHashtag, o.from.timestamp)).map((t) => [
            t.partition,
            t.offset,
          ]),
        )
      : Object.fromEntries(
          Object.entries(end).map(([p, e]) => [p, Math.min(e, (o.from as { offset: number }).offset)]),
        );
  const tail = await TopicTail.start(
    o.log,
    TOPICS.postHashtag,
    `ops-backfill-scope-${ctx.clock.now()}`,
    from,
  );
  try {
    const records = await tail.take(end, { signal: ctx.signal, sleep: (ms) => ctx.clock.sleep(ms) });
    const tags = new Set<string>();
    for (const r of records) {
      const tag = (JSON.parse(r.value.toString('utf8')) as { tag?: unknown }).tag;
      if (typeof tag === 'string') tags.add(tag);
    }
    return tags;
  } finally {
    await tail.stop();
  }
}

async function updateSearch(search: SearchIndex, kv: KvStore, tags: string[]): Promise<void> {
  for (let i = 0; i < tags.length; i += 1000) {
    const { docs, absent } = await readDocuments(kv, 'hashtags', tags.slice(i, i + 1000));
    await search.upsert(docs as SearchEntry[]);
    if (absent.length > 0) await search.remove('hashtags', absent);
  }
}
