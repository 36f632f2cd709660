import type { HashtagCountRecord } from '../../../indexer/counting/read-hashtag-count';
import { KV } from '../../../indexer/kv-tables';
import type { KvOp, KvStore } from '../../../platform/ports/kv-store';
import type { OpsContext } from '../ops-context';
import type { BackfillCheckpoint } from './backfill-checkpoint';

export interface MirrorSpec {
  table: string;
  /** Only keys this accepts are compared (checkpoints: just the rebuilt consumers'). */
  keys?: (key: string) => boolean;
  /** Values equal for this purpose (counts: the count, not when it was written). */
  same?: (a: unknown, b: unknown) => boolean;
  /** A row that counts as no row (a count of 0: whether one is stored depends on flush timing). */
  blank?: (value: unknown) => boolean;
}

export const zeroCount = (v: unknown) => (v as HashtagCountRecord | undefined)?.count === 0;

export const sameCount = (a: unknown, b: unknown) =>
  (a as HashtagCountRecord | undefined)?.count === (b as HashtagCountRecord | undefined)?.count;

/**
 * Makes the real tables equal to the rebuilt ones: puts where a row differs
 * or is missing, deletes where the rebuild has none. Both sides are scanned
 * in key order and merged, so memory stays flat. Rows that are already equal
 * are left alone, which makes a second run write nothing.
 */
export async function mirrorTables(
  real: KvStore,
  scratch: KvStore,
  specs: readonly MirrorSpec[],
  ctx: OpsContext<BackfillCheckpoint>,
  onChange?: (table: string, key: string, value: unknown) => void,
): Promise<{ puts: number; deletes: number }> {
  const totals = { puts: 0, deletes: 0 };
  for (const spec of specs) {
    const accept = spec.keys ?? (() => true);
    const same = spec.same ?? ((a, b) => JSON.stringify(a) === JSON.stringify(b));
    const blank = spec.blank ?? (() => false);
    ctx.progress.phase(`mirror ${spec.table}`, await scratch.count(spec.table));
    let ops: KvOp[] = [];
    const flush = async () => {
      if (ops.length === 0) return;
      await ctx.throttle.take(ops.length, ctx.signal);
      if (!ctx.dryRun) await real.batch(ops);
      ctx.stats.written(ops.length);
      ops = [];
    };
    const change = async (op: KvOp) => {
      ops.push(op);
      if (op.type === 'put') totals.puts++;
      else totals.deletes++;
      onChange?.(spec.table, op.key, op.type === 'put' ? op.value : undefined);
      if (ops.length >= 1000) await flush();
    };
    const a = scratch.scan(spec.table)[Symbol.asyncIterator]();
    const b = real.scan(spec.table)[Symbol.asyncIterator]();
    const next = async (it: AsyncIterator<[string, unknown]>) => {
      for (;;) {
        const r = await it.next();
        if (r.done) return undefined;
        if (accept(r.value[0])) return r.value;
      }
    };
    let want = await next(a);
    let have = await next(b);
    while (want !== undefined || have !== undefined) {
      if (have === undefined || (want !== undefined && before(want[0], have[0]))) {
        if (blank(want![1])) ctx.stats.skipped();
        else await change({ type: 'put', table: spec.table, key: want![0], value: want![1] });
        ctx.stats.read();
        ctx.progress.increment(1);
        want = await next(a);
      } else if (want === undefined || before(have[0], want[0])) {
        if (!blank(have[1])) await change({ type: 'delete', table: spec.table, key: have[0] });
        have = await next(b);
      } else {
        if (!same(want[1], have[1]))
          await change({ type: 'put', table: spec.table, key: want[0], value: want[1] });
        else ctx.stats.skipped();
        ctx.stats.read();
        ctx.progress.increment(1);
        want = await next(a);
        have = await next(b);
      }
    }
    await flush();
    ctx.progress.done();
  }
  return totals;
}

/** The counting worker's and trending scorer's checkpoints, among every consumer's. */
export const derivedCheckpoint = (key: string) => key.startsWith('counter:') || key.startsWith('trending:');

export const COUNT_TABLE = KV.hashtagCounts;

/** The stores' key order: UTF-8 bytes, which JS's code-unit order differs from beyond U+D7FF. */
const before = (x: string, y: string) => Buffer.compare(Buffer.from(x), Buffer.from(y)) < 0;
