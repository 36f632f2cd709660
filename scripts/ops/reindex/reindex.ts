import { TOPICS } from '../../../indexer/topics';
import type { IndexKind } from '../../../platform/ports/search-index';
import { ValidationError } from '../../../platform/errors';
import type { EventLog, LogRecord } from '../../../platform/ports/event-log';
import type { KvStore } from '../../../platform/ports/kv-store';
import { prepareSearchEntry } from '../../../platform/ports/prepare-search-entry';
import { retry } from '../../../platform/retry';
import { coveredPositions, type Positions } from '../covered-positions';
import type { CheckpointBase, OpsContext } from '../ops-context';
import { TopicTail } from '../topic-tail';
import { affectedBy, noneAffected, type Affected } from './affected-entities';
import { readDocuments, scanDocuments, SOURCE_TABLE, type DocChunk } from './kv-documents';
import { docId, type IndexDoc, type SearchVersions } from './search-versions';

export interface ReindexOptions {
  kv: KvStore;
  log: EventLog;
  versions: SearchVersions;
  kinds: readonly IndexKind[];
  /** Keep the versions the aliases left (default: delete them). */
  keepOld?: boolean;
  /** Documents per write; default 1000. */
  chunkSize?: number;
  /** Checkpoint at most this often during a load; default 2 s. */
  checkpointEveryMs?: number;
  /** Catch-up stops waiting for live consumers that make no progress for this long; default 30 s. */
  stallMs?: number;
  /** Catch-up windows before the swap (and settle rounds after it); default 10. */
  maxWindows?: number;
  /** Between phases; tests use it to interrupt or to check the aliases. */
  onPhase?: (phase: 'loaded' | 'caught-up' | 'swapped') => void | Promise<void>;
}

interface KindState {
  version?: string;
  /** Source key the load has written up to. */
  after?: string;
  loaded: boolean;
  swapped: boolean;
  previous: string[];
}

export interface ReindexCheckpoint extends CheckpointBase {
  phase: 'load' | 'catch-up' | 'settle' | 'cleanup';
  /** Where the catch-up reads from next. */
  from: Positions;
  kinds: Partial<Record<IndexKind, KindState>>;
}

export interface ReindexResult {
  kinds: Partial<Record<IndexKind, { version?: string; previous: string[]; documents?: number }>>;
  /** Versions an abandoned run (`--restart`) had been loading, now deleted. */
  abandoned: string[];
  dryRun: boolean;
  catchUpWindows: number;
}

/** Chunk writes of a load in flight at once. */
const WRITE_DEPTH = 2;

/** A catch-up window this small is the last before the swap. */
const SMALL_WINDOW = 1000;

/**
 * Rebuilds search indices from the KV store with no downtime: each kind is
 * loaded into a new version while queries keep using the alias; the updates
 * that arrive meanwhile are caught up by replaying the log from the position
 * recorded at the start (re-reading each affected document from the KV
 * store, so replays are idempotent); the aliases are swapped; and the
 * updates the live writers sent to the old version just before the swap are
 * replayed once more into the new one. Checkpoints after each step and
 * every few seconds of a load, so an interrupted run continues where it was.
 */
export async function reindex(o: ReindexOptions, ctx: OpsContext<ReindexCheckpoint>): Promise<ReindexResult> {
  const unsupported = o.kinds.filter((k) => !o.versions.kinds.includes(k));
  if (unsupported.length > 0 || o.kinds.length === 0) {
    throw new ValidationError('cannot reindex these kinds here', [
      { field: '--kind', reason: `must be among ${o.versions.kinds.join(', ')}` },
    ]);
  }
  const result: ReindexResult = { kinds: {}, abandoned: [], dryRun: ctx.dryRun, catchUpWindows: 0 };
  if (ctx.dryRun) {
    for (const kind of o.kinds)
      result.kinds[kind] = { previous: [], documents: await checkKind(o, ctx, kind) };
    return result;
  }
  let cp = ctx.checkpoint.state;
  if (cp === undefined) {
    result.abandoned = await dropAbandoned(o, ctx);
    const { positions } = await coveredPositions(o.log, o.kv, { ...covered(o, ctx) });
    ctx.throwIfAborted();
    cp = { phase: 'load', from: positions, kinds: {}, ...ctx.base() };
  } else {
    ctx.logger.info({ phase: cp.phase, checkpoint: ctx.checkpoint.file }, 'resuming reindex');
  }
  const state = cp;
  const save = () => ctx.save({ phase: state.phase, from: state.from, kinds: state.kinds });
  for (const kind of o.kinds) {
    const st = (state.kinds[kind] ??= { loaded: false, swapped: false, previous: [] });
    if (st.version !== undefined && !(await o.versions.exists(kind, st.version))) {
      // An in-memory version died with its process, or someone deleted it: that kind starts over.
      if (st.swapped) continue;
      ctx.logger.warn({ kind, version: st.version }, 'version from the checkpoint is gone; loading it again');
      Object.assign(st, { version: undefined, after: undefined, loaded: false });
    }
    if (st.version === undefined) {
      st.version = await o.versions.create(kind);
      // At once: a version created but not recorded would be left behind by a kill -9.
      await save();
    }
  }
  await save();

  if (state.phase === 'load') {
    for (const kind of o.kinds) await loadKind(o, ctx, kind, state.kinds[kind]!, save);
    await o.onPhase?.('loaded');
    state.phase = 'catch-up';
    await save();
    ctx.throwIfAborted();
  }

  if (state.phase === 'catch-up' || state.phase === 'settle') {
    const tails = await startTails(o, state.from);
    try {
      if (state.phase === 'catch-up') {
        for (let i = 0; i < (o.maxWindows ?? 10); i++) {
          const { records } = await catchUpWindow(o, ctx, state, tails, undefined);
          await save();
          result.catchUpWindows++;
          ctx.throwIfAborted();
          if (records < SMALL_WINDOW) break;
        }
        await o.onPhase?.('caught-up');
        for (const kind of o.kinds) {
          const st = state.kinds[kind]!;
          if (st.swapped) continue;
          // Recorded first: after a kill -9 right after the swap, the alias no longer names it.
          const before = await o.versions.current(kind);
          if (before !== undefined && before !== st.version && !st.previous.includes(before)) {
            st.previous.push(before);
            await save();
          }
          const { previous } = await o.versions.swap(kind, st.version!);
          Object.assign(st, { swapped: true, previous: [...new Set([...st.previous, ...previous])] });
          await save();
        }
        await o.onPhase?.('swapped');
        state.phase = 'settle';
      }
      // The live writers sent updates to the old versions until the swap: replay everything up to
      // a covered position read after it, then re-write what later live updates may have raced with.
      let { written } = await catchUpWindow(o, ctx, state, tails, undefined);
      await save();
      for (let i = 0; i < (o.maxWindows ?? 10) && written.size > 0; i++) {
        ({ written } = await catchUpWindow(o, ctx, state, tails, written));
        await save();
      }
    } finally {
      await Promise.all(Object.values(tails).map((t) => t.stop()));
    }
    state.phase = 'cleanup';
    await save();
  }

  for (const kind of o.kinds) {
    const st = state.kinds[kind]!;
    if (!o.keepOld) await o.versions.drop(kind, st.previous);
    result.kinds[kind] = { version: st.version, previous: st.previous };
  }
  await ctx.checkpoint.clear();
  return result;
}

/**
 * `--restart` abandons the run that was in progress: drop the versions it
 * created and never swapped in, which nothing else would ever delete.
 */
async function dropAbandoned(o: ReindexOptions, ctx: OpsContext<ReindexCheckpoint>): Promise<string[]> {
  const abandoned = ctx.checkpoint.abandoned;
  const dropped: string[] = [];
  if (abandoned === undefined || !o.versions.persistent) return dropped;
  for (const [kind, st] of Object.entries(abandoned.kinds) as [IndexKind, KindState][]) {
    if (st.version === undefined || st.swapped) continue;
    if ((await o.versions.current(kind)) === st.version) continue;
    if (!(await o.versions.exists(kind, st.version))) continue;
    await o.versions.drop(kind, [st.version]);
    dropped.push(st.version);
    ctx.logger.warn({ kind, version: st.version }, 'dropped the version an abandoned run had been loading');
  }
  return dropped;
}

function covered(o: ReindexOptions, ctx: OpsContext<ReindexCheckpoint>) {
  return { clock: ctx.clock, signal: ctx.signal, logger: ctx.logger, stallMs: o.stallMs };
}

/** Dry run: reads and checks every document of a kind, writes nothing. */
async function checkKind(
  o: ReindexOptions,
  ctx: OpsContext<ReindexCheckpoint>,
  kind: IndexKind,
): Promise<number> {
  ctx.progress.phase(`check ${kind}`, await o.kv.count(SOURCE_TABLE[kind]));
  let good = 0;
  for await (const chunk of scanDocuments(o.kv, kind, { chunk: o.chunkSize })) {
    ctx.stats.read(chunk.read);
    ctx.stats.skipped(chunk.absent.length);
    for (const doc of chunk.docs) {
      const check = doc.kind === 'media' ? { ok: true as const } : prepareSearchEntry(doc);
      if (check.ok) good++;
      else ctx.stats.fail({ id: docId(doc), reason: check.failure.reason });
    }
    ctx.progress.increment(chunk.read);
    ctx.throwIfAborted();
  }
  ctx.progress.done();
  return good;
}

async function loadKind(
  o: ReindexOptions,
  ctx: OpsContext<ReindexCheckpoint>,
  kind: IndexKind,
  st: KindState,
  save: () => Promise<void>,
): Promise<void> {
  if (st.loaded) return;
  ctx.progress.phase(`reindex ${kind} → ${st.version}`, await o.kv.count(SOURCE_TABLE[kind]));
  let savedAt = ctx.clock.now();
  // Reading the next chunks overlaps the writes of the previous ones; the checkpoint (and the
  // counts in it) only ever covers a prefix of chunks whose writes completed.
  const inFlight: { chunk: DocChunk; done: Promise<void> }[] = [];
  const settleOldest = async () => {
    const { chunk, done } = inFlight.shift()!;
    await done;
    ctx.stats.read(chunk.read);
    ctx.stats.skipped(chunk.absent.length);
    st.after = chunk.lastKey;
    ctx.progress.increment(chunk.read);
  };
  try {
    for await (const chunk of scanDocuments(o.kv, kind, { after: st.after, chunk: o.chunkSize })) {
      const done = write(o, ctx, kind, st.version!, chunk.docs);
      // Handled here so a failure before its turn is not an unhandled rejection; awaited in order below.
      done.catch(() => undefined);
      inFlight.push({ chunk, done });
      while (inFlight.length >= WRITE_DEPTH) await settleOldest();
      if (ctx.signal.aborted || ctx.clock.now() - savedAt >= (o.checkpointEveryMs ?? 2000)) {
        while (inFlight.length > 0) await settleOldest();
        await save();
        savedAt = ctx.clock.now();
        ctx.throwIfAborted();
      }
    }
    while (inFlight.length > 0) await settleOldest();
  } finally {
    // Whatever happened, no write is left running behind the checkpoint.
    await Promise.allSettled(inFlight.map((w) => w.done));
  }
  st.loaded = true;
  await save();
  ctx.progress.done();
}

/** Throttled, idempotent writes; a rejected write (429s beyond the bulk layer's retries) is retried. */
async function write(
  o: ReindexOptions,
  ctx: OpsContext<ReindexCheckpoint>,
  kind: IndexKind,
  version: string,
  docs: IndexDoc[],
): Promise<void> {
  if (docs.length === 0) return;
  await ctx.throttle.take(docs.length, ctx.signal);
  const { failed } = await retry(() => o.versions.upsertInto(kind, version, docs), {
    clock: ctx.clock,
    logger: ctx.logger,
    signal: ctx.signal,
    operation: `write ${kind}`,
  });
  for (const f of failed) ctx.stats.fail({ id: f.id, reason: `${kind}: ${f.reason}` });
  ctx.stats.written(docs.length - failed.length);
}

type Tails = Record<'publish' | 'hashtag' | 'postings', TopicTail>;

async function startTails(o: ReindexOptions, from: Positions): Promise<Tails> {
  const group = `ops-reindex-${process.pid}-${Date.now().toString(36)}`;
  // Together: joining a Kafka group takes seconds.
  const started = await Promise.allSettled([
    TopicTail.start(o.log, TOPICS.postPublish, `${group}-publish`, from.publish),
    TopicTail.start(o.log, TOPICS.postHashtag, `${group}-hashtag`, from.hashtag),
    TopicTail.start(o.log, TOPICS.postings, `${group}-postings`, from.postings),
  ]);
  const tails = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(tails.map((t) => t.stop().catch(() => undefined)));
    throw failed.reason;
  }
  const [publish, hashtag, postings] = tails as [TopicTail, TopicTail, TopicTail];
  return { publish, hashtag, postings };
}

const at = (a: Record<number, number>, b: Record<number, number>) =>
  Object.fromEntries(Object.entries(b).map(([p, x]) => [p, Math.max(x, a[Number(p)] ?? 0)]));

/**
 * One window: from the checkpointed position to a covered one, re-reads the
 * documents the records may have changed and writes them into each kind's
 * new version (its alias target once swapped). With `only`, just the
 * documents written in the previous round that this window touched again.
 */
async function catchUpWindow(
  o: ReindexOptions,
  ctx: OpsContext<ReindexCheckpoint>,
  state: ReindexCheckpoint,
  tails: Tails,
  only: Affected | undefined,
): Promise<{ records: number; written: Affected & { size: number } }> {
  const { positions } = await coveredPositions(o.log, o.kv, covered(o, ctx));
  const to: Positions = {
    publish: at(state.from.publish, positions.publish),
    hashtag: at(state.from.hashtag, positions.hashtag),
    postings: at(state.from.postings, positions.postings),
  };
  const opts = { signal: ctx.signal, sleep: (ms: number) => ctx.clock.sleep(ms) };
  const records: Record<keyof Tails, LogRecord[]> = {
    publish: await tails.publish.take(to.publish, opts),
    hashtag: await tails.hashtag.take(to.hashtag, opts),
    postings: await tails.postings.take(to.postings, opts),
  };
  const affected = await affectedBy(o.kv, records, o.kinds);
  const written = Object.assign(noneAffected(), { size: 0 });
  for (const kind of o.kinds) {
    let ids = [...affected[kind]];
    if (only) ids = ids.filter((id) => only[kind].has(id));
    const version = state.kinds[kind]!.version!;
    for (let i = 0; i < ids.length; i += o.chunkSize ?? 1000) {
      const slice = ids.slice(i, i + (o.chunkSize ?? 1000));
      const { docs, absent } = await readDocuments(o.kv, kind, slice);
      ctx.stats.read(slice.length);
      await write(o, ctx, kind, version, docs);
      if (absent.length > 0) await o.versions.removeFrom(kind, version, absent);
      for (const id of slice) written[kind].add(id);
      written.size += slice.length;
    }
  }
  state.from = to;
  return { records: records.publish.length + records.hashtag.length + records.postings.length, written };
}
