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
 * Assigns dense ids for the index consumer. New ids are tentative until the
 * batch that made them is stored (commit), and are dropped if it fails
 * (abort), so memory never runs ahead of the store.
 */
export class IdAssigner {
  private readonly pending: Record<IdSpace, Map<string, number>> = {
    media: new Map(),
    user: new Map(),
    location: new Map(),
  };
  private readonly order: Assignment[] = [];

  private constructor(readonly maps: Record<IdSpace, DenseIdMap>) {}

  /** Rebuilds the maps from the `dense_ids` table, in dense order. */
  static async load(kv: KvStore): Promise<IdAssigner> {
    const maps = { media: new DenseIdMap(), user: new DenseIdMap(), location: new DenseIdMap() };
    for (const space of SPACES) {
      for await (const [key, external] of kv.scan<string>(KV.denseIds, { prefix: `${space}:` })) {
        const dense = Number(key.slice(space.length + 1));
        if (maps[space].getOrAssign(external) !== dense) {
          throw new StorageError('ID_MAP_CORRUPT', `dense id table has a gap or duplicate at ${key}`);
        }
      }
    }
    return new IdAssigner(maps);
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

  /** New assignments of the current batch, in order. */
  assignments(): readonly Assignment[] {
    return this.order;
  }

  /** KV writes that persist the current batch's assignments. */
  kvOps(): { type: 'put'; table: string; key: string; value: string }[] {
    return this.order.map((a) => ({
      type: 'put',
      table: KV.denseIds,
      key: denseKey(a.space, a.dense),
      value: a.external,
    }));
  }

  commit(): void {
    for (const a of this.order) this.maps[a.space].getOrAssign(a.external);
    this.abort();
  }

  abort(): void {
    for (const space of SPACES) this.pending[space].clear();
    this.order.length = 0;
  }
}

export function denseKey(space: IdSpace, dense: number): string {
  return `${space}:${String(dense).padStart(10, '0')}`;
}
