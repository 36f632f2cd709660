import { DenseIdMap } from '../../query/engine/dense-id-map';
import type { IdSpace } from '../../query/engine/set-type';
import type { KvStore } from '../../platform/ports/kv-store';
import { StorageError } from '../../platform/errors';
import { KV } from '../kv-tables';

export interface Assignment {
  space: IdSpace;
  dense: number;
  external: string;
}

const SPACES: IdSpace[] = ['media', 'user', 'location'];

/**
 * Assigns dense ids for the index consumer. New ids are tentative until
 * stored (commit), and are dropped if storing fails (abort), so memory never
 * runs ahead of the store.
 *
 * They are stored before any POSTINGS record uses them. Otherwise a crash
 * between publishing and storing lets the re-run, which may take the
 * partitions in another order, hand the same dense id to another post, and
 * replicas that saw the first record would diverge. Ids stored but not yet
 * confirmed as published are sent again with the next record.
 */
export class IdAssigner {
  private readonly pending: Record<IdSpace, Map<string, number>> = {
    media: new Map(),
    user: new Map(),
    location: new Map(),
  };
  private readonly order: Assignment[] = [];

  private constructor(
    readonly maps: Record<IdSpace, DenseIdMap>,
    /** Per space, how many ids a stored POSTINGS record is known to carry. */
    private readonly published: Record<IdSpace, number>,
  ) {}

  /** Rebuilds the maps from the `dense_ids` table, in dense order. */
  static async load(kv: KvStore): Promise<IdAssigner> {
    const maps = { media: new DenseIdMap(), user: new DenseIdMap(), location: new DenseIdMap() };
    for (const space of SPACES) {
      for await (const [first, externals] of scanDenseIds(kv, space)) {
        for (let i = 0; i < externals.length; i++) {
          if (maps[space].getOrAssign(externals[i]!) !== first + i) {
            throw new StorageError(
              'ID_MAP_CORRUPT',
              `dense id table has a gap or duplicate at ${denseKey(space, first + i)}`,
            );
          }
        }
      }
    }
    const stored = await kv.getMany<number>(KV.checkpoints, SPACES.map(publishedKey));
    const published = { media: stored[0] ?? 0, user: stored[1] ?? 0, location: stored[2] ?? 0 };
    return new IdAssigner(maps, published);
  }

  lookup(space: IdSpace, external: string): number | undefined {
    return this.maps[space].get(external) ?? this.pending[space].get(external);
  }

  assign(space: IdSpace, external: string): number {
    const known = this.lookup(space, external);
    if (known !== undefined) return known;
    const dense = this.maps[space].size + this.pending[space].size;
    this.pending[space].set(external, dense);
    this.order.push({ space, dense, external });
    return dense;
  }

  /** Every stored id not yet confirmed as published, in dense order: what the next POSTINGS record carries. */
  unpublished(): Assignment[] {
    const out: Assignment[] = [];
    for (const space of SPACES) {
      const map = this.maps[space];
      for (let dense = this.published[space]; dense < map.size; dense++) {
        out.push({ space, dense, external: map.external(dense) });
      }
    }
    return out;
  }

  /** KV writes recording that every stored id has been published; part of the batch's final write. */
  publishedOps(): { type: 'put'; table: string; key: string; value: number }[] {
    return SPACES.filter((space) => this.maps[space].size > this.published[space]).map((space) => ({
      type: 'put',
      table: KV.checkpoints,
      key: publishedKey(space),
      value: this.maps[space].size,
    }));
  }

  /** Call once the publishedOps() write is durable. */
  markPublished(): void {
    for (const space of SPACES) this.published[space] = this.maps[space].size;
  }

  /**
   * Stores the tentative assignments and makes them final; if the write
   * fails they are dropped, so the next attempt hands out the same ids.
   */
  async store(kv: KvStore): Promise<void> {
    try {
      const ops = this.kvOps();
      if (ops.length > 0) await kv.batch(ops);
      this.commit();
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  /** KV writes that persist the current batch's assignments: one row per space, keyed by its first id. */
  private kvOps(): { type: 'put'; table: string; key: string; value: string[] }[] {
    const ops: { type: 'put'; table: string; key: string; value: string[] }[] = [];
    for (const space of SPACES) {
      const pending = this.pending[space];
      if (pending.size === 0) continue;
      const first = this.maps[space].size;
      ops.push({ type: 'put', table: KV.denseIds, key: denseKey(space, first), value: [...pending.keys()] });
    }
    return ops;
  }

  private commit(): void {
    for (const a of this.order) this.maps[a.space].getOrAssign(a.external);
    this.abort();
  }

  abort(): void {
    for (const space of SPACES) this.pending[space].clear();
    this.order.length = 0;
  }
}

function publishedKey(space: IdSpace): string {
  return `indexer:published-ids:${space}`;
}

export function denseKey(space: IdSpace, dense: number): string {
  return `${space}:${String(dense).padStart(10, '0')}`;
}

/**
 * The rows of one space in dense order, as [first dense id, external ids].
 * A row holds the ids one batch assigned (a row per id would be a write per
 * post); rows written before that hold a single id as a string.
 */
export async function* scanDenseIds(kv: KvStore, space: IdSpace): AsyncGenerator<[number, string[]]> {
  for await (const [key, value] of kv.scan<string | string[]>(KV.denseIds, { prefix: `${space}:` })) {
    const first = Number(key.slice(space.length + 1));
    const externals = typeof value === 'string' ? [value] : value;
    if (!Number.isSafeInteger(first) || !Array.isArray(externals)) {
      throw new StorageError('ID_MAP_CORRUPT', `dense id row ${key} is not a list of ids`);
    }
    yield [first, externals];
  }
}

/** External ids of some dense ids of one space (undefined where unassigned); reads the whole space. */
export async function externalIdsOf(
  kv: KvStore,
  space: IdSpace,
  dense: readonly number[],
): Promise<(string | undefined)[]> {
  const wanted = new Map<number, string | undefined>(dense.map((d) => [d, undefined]));
  for await (const [first, externals] of scanDenseIds(kv, space)) {
    for (let i = 0; i < externals.length; i++) if (wanted.has(first + i)) wanted.set(first + i, externals[i]);
  }
  return dense.map((d) => wanted.get(d));
}
