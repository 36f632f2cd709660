import type { HashtagCountRecord } from '../../../indexer/counting/read-hashtag-count';
import { KV } from '../../../indexer/kv-tables';
import type { IndexKind } from '../../../platform/ports/search-index';
import type { KvStore } from '../../../platform/ports/kv-store';
import type { PostingIndex } from '../../../query/engine/posting-index';
import type { CheckpointBase, OpsContext } from '../ops-context';
import { readDocuments, scanDocuments } from '../reindex/kv-documents';
import { docId, type IndexDoc, type SearchVersions } from '../reindex/search-versions';

export type Check =
  'hashtag-count' | 'document-count' | 'document-missing' | 'document-stale' | 'document-extra';

export interface Difference {
  check: Check;
  kind: IndexKind | 'hashtag_counts';
  id?: string;
  expected: unknown;
  actual: unknown;
  repaired: boolean;
}

export interface VerifyOptions {
  kv: KvStore;
  /** The bitmaps, caught up with POSTINGS: the truth for hashtag counts. */
  index: PostingIndex;
  /** The search indices, read and repaired through their aliases; none skips the document checks. */
  documents?: SearchVersions;
  repair: boolean;
  /** Documents compared per kind: a number, or 'all' (also used whenever the counts differ). */
  sample: number | 'all';
  /** Default: the typeahead kinds; media, by far the largest, only on request. */
  kinds?: readonly IndexKind[];
  onDifference?: (d: Difference) => void;
}

export interface VerifyCheckpoint extends CheckpointBase {
  done: string[];
  /** Differences the checks in `done` found, and how many of them were left unrepaired. */
  differences: number;
  unrepaired: number;
}

export interface VerifyResult {
  /** Found by this run. */
  differences: Difference[];
  /** Found by the earlier, interrupted runs of the same job (only counted: their lines were printed then). */
  earlier: { differences: number; unrepaired: number };
}

export const DEFAULT_VERIFY_KINDS: readonly IndexKind[] = ['users', 'locations', 'hashtags'];

/** Documents compared per read of the search index. */
const PAGE = 500;

/**
 * Compares derived state with its source: each hashtag's count with the
 * cardinality of its posting list; each search index's document count with
 * the KV store's; and documents, a sample or all, entry by entry (and, when
 * the counts differ, the index's ids against the KV store, for documents it
 * should not hold). With `repair`, writes the expected value where they
 * differ. Checkpoints after each check, so a resumed run skips those done.
 */
export async function verify(o: VerifyOptions, ctx: OpsContext<VerifyCheckpoint>): Promise<VerifyResult> {
  const differences: Difference[] = [];
  const prior = ctx.checkpoint.state;
  const earlier = { differences: prior?.differences ?? 0, unrepaired: prior?.unrepaired ?? 0 };
  const done = new Set(prior?.done ?? []);
  const report = (d: Difference) => {
    differences.push(d);
    o.onDifference?.(d);
  };
  const step = async (name: string, fn: () => Promise<void>) => {
    if (done.has(name)) return;
    await fn();
    done.add(name);
    await ctx.save({
      done: [...done],
      differences: earlier.differences + differences.length,
      unrepaired: earlier.unrepaired + differences.filter((d) => !d.repaired).length,
    });
    ctx.throwIfAborted();
  };
  const repairing = o.repair && !ctx.dryRun;
  await step('hashtag-counts', () => checkCounts(o, ctx, repairing, report));
  if (o.documents) {
    for (const kind of o.kinds ?? DEFAULT_VERIFY_KINDS) {
      await step(`documents:${kind}`, () => checkDocuments(o, o.documents!, ctx, kind, repairing, report));
    }
  }
  await ctx.checkpoint.clear();
  return { differences, earlier };
}

async function checkCounts(
  o: VerifyOptions,
  ctx: OpsContext<VerifyCheckpoint>,
  repair: boolean,
  report: (d: Difference) => void,
): Promise<void> {
  const truth = new Map<string, number>();
  for (const [term, bm] of o.index.entries()) if (term.kind === 'tag') truth.set(term.tag, bm.size);
  ctx.progress.phase('hashtag counts vs bitmaps', await o.kv.count(KV.hashtagCounts));
  const seen = new Set<string>();
  const fixes: HashtagCountRecord[] = [];
  const differ = (tag: string, expected: number, actual: number | undefined) => {
    report({ check: 'hashtag-count', kind: 'hashtag_counts', id: tag, expected, actual, repaired: repair });
    fixes.push({ tag, count: expected, updatedAt: new Date(ctx.clock.now()).toISOString() });
  };
  for await (const [tag, row] of o.kv.scan<HashtagCountRecord>(KV.hashtagCounts)) {
    ctx.stats.read();
    ctx.progress.increment(1);
    seen.add(tag);
    const expected = truth.get(tag) ?? 0;
    if (row.count !== expected) differ(tag, expected, row.count);
  }
  for (const [tag, expected] of truth) if (!seen.has(tag) && expected !== 0) differ(tag, expected, undefined);
  ctx.progress.done();
  if (!repair || fixes.length === 0) return;
  await ctx.throttle.take(fixes.length, ctx.signal);
  await o.kv.batch(fixes.map((value) => ({ type: 'put', table: KV.hashtagCounts, key: value.tag, value })));
  ctx.stats.written(fixes.length);
  if (o.documents) {
    // The typeahead shows the counts too: bring those entries along.
    const alias = o.documents.alias('hashtags');
    const { docs, absent } = await readDocuments(
      o.kv,
      'hashtags',
      fixes.map((f) => f.tag),
    );
    const { failed } = await o.documents.upsertInto('hashtags', alias, docs);
    for (const f of failed) ctx.stats.fail({ id: f.id, reason: `hashtags: ${f.reason}` });
    if (absent.length > 0) await o.documents.removeFrom('hashtags', alias, absent);
  }
}

async function checkDocuments(
  o: VerifyOptions,
  documents: SearchVersions,
  ctx: OpsContext<VerifyCheckpoint>,
  kind: IndexKind,
  repair: boolean,
  report: (d: Difference) => void,
): Promise<void> {
  const alias = documents.alias(kind);
  const expectedCount = await countDocuments(o.kv, kind);
  const actualCount = await documents.countIn(kind, alias);
  const countsDiffer = actualCount !== expectedCount;
  const every = o.sample === 'all' || countsDiffer ? 1 : Math.max(1, Math.floor(expectedCount / o.sample));
  ctx.progress.phase(`${kind} documents`, expectedCount);
  const fixes: IndexDoc[] = [];
  const compare = async (docs: IndexDoc[]) => {
    await ctx.throttle.take(docs.length, ctx.signal);
    ctx.stats.read(docs.length);
    const found = await documents.getFrom(kind, alias, docs.map(docId));
    docs.forEach((doc, i) => {
      const actual = found[i]?.entry;
      if (actual !== undefined && canonical(actual) === canonical(doc.entry)) return;
      const check = actual === undefined ? 'document-missing' : 'document-stale';
      report({ check, kind, id: docId(doc), expected: doc.entry, actual, repaired: repair });
      fixes.push(doc);
    });
  };
  let i = 0;
  let page: IndexDoc[] = [];
  for await (const chunk of scanDocuments(o.kv, kind)) {
    for (const doc of chunk.docs) if (i++ % every === 0) page.push(doc);
    if (page.length >= PAGE) {
      await compare(page);
      page = [];
    }
    ctx.progress.increment(chunk.docs.length);
    ctx.throwIfAborted();
  }
  if (page.length > 0) await compare(page);
  ctx.progress.done();
  const extras = countsDiffer || o.sample === 'all' ? await extraIds(o.kv, documents, kind, alias) : [];
  for (const id of extras) {
    report({ check: 'document-extra', kind, id, expected: undefined, actual: id, repaired: repair });
  }
  if (repair && fixes.length + extras.length > 0) {
    await ctx.throttle.take(fixes.length + extras.length, ctx.signal);
    for (let at = 0; at < fixes.length; at += PAGE) {
      const slice = fixes.slice(at, at + PAGE);
      const { failed } = await documents.upsertInto(kind, alias, slice);
      for (const f of failed) ctx.stats.fail({ id: f.id, reason: `${kind}: ${f.reason}` });
      ctx.stats.written(slice.length - failed.length);
    }
    if (extras.length > 0) await documents.removeFrom(kind, alias, extras);
    ctx.stats.written(extras.length);
  }
  if (countsDiffer) {
    // Repaired when the index now holds as many documents as it should.
    const repaired = repair && (await documents.countIn(kind, alias)) === expectedCount;
    report({ check: 'document-count', kind, expected: expectedCount, actual: actualCount, repaired });
  }
}

/** Ids the index holds that should have no document; only where the index can list its ids. */
async function extraIds(
  kv: KvStore,
  documents: SearchVersions,
  kind: IndexKind,
  alias: string,
): Promise<string[]> {
  if (!documents.idsIn) return [];
  const extras: string[] = [];
  for await (const ids of documents.idsIn(kind, alias)) {
    const { absent } = await readDocuments(kv, kind, ids);
    extras.push(...absent);
  }
  return extras;
}

async function countDocuments(kv: KvStore, kind: IndexKind): Promise<number> {
  let n = 0;
  for await (const chunk of scanDocuments(kv, kind)) n += chunk.docs.length;
  return n;
}

/** JSON with sorted keys: adapters may return an entry's fields in another order. */
const canonical = (value: object) =>
  JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))));
