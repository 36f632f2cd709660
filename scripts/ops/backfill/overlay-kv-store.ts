import { AppError } from '../../../platform/errors';
import type { KvOp, KvScanOptions, KvStore } from '../../../platform/ports/kv-store';

/**
 * A KV view for rebuilding derived tables privately: the tables named in
 * `scratchTables` live in the scratch store (read and written there), every
 * other table is read from the real store and may not be written.
 */
export class OverlayKvStore implements KvStore {
  constructor(
    private readonly real: KvStore,
    private readonly scratch: KvStore,
    private readonly scratchTables: ReadonlySet<string>,
  ) {}

  private of(table: string): KvStore {
    return this.scratchTables.has(table) ? this.scratch : this.real;
  }

  get<T>(table: string, key: string): Promise<T | undefined> {
    return this.of(table).get<T>(table, key);
  }

  getMany<T>(table: string, keys: string[]): Promise<(T | undefined)[]> {
    return this.of(table).getMany<T>(table, keys);
  }

  /** The scratch store holds the only writes here. */
  recover(writer: string): Promise<boolean> {
    return this.scratch.recover(writer);
  }

  async batch(ops: KvOp[]): Promise<void> {
    const outside = ops.find((op) => !this.scratchTables.has(op.table));
    if (outside) {
      throw new AppError(
        'OVERLAY_READ_ONLY',
        `a rebuild tried to write ${outside.table}, which it must only read`,
      );
    }
    await this.scratch.batch(ops);
  }

  scan<T>(table: string, options?: KvScanOptions): AsyncIterable<[string, T]> {
    return this.of(table).scan<T>(table, options);
  }

  count(table: string): Promise<number> {
    return this.of(table).count(table);
  }

  /** The real store is not ours to close. */
  close(): Promise<void> {
    return this.scratch.close();
  }
}
