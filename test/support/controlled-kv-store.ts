import { StorageError } from '../../platform/errors';
import type { KvOp, KvScanOptions, KvStore } from '../../platform/ports/kv-store';

/** A KvStore in front of the real one: batches can be held back, and the store can "die". */
export class ControlledKv implements KvStore {
  batches = 0;
  hold = false;
  dead = false;
  /** Dies on batch number `n` (1-based), before or after applying it. */
  dieOn: { n: number; applied: boolean } | undefined;
  private readonly held: (() => void)[] = [];

  constructor(private readonly inner: KvStore) {}

  get heldBatches(): number {
    return this.held.length;
  }
  releaseOne(): void {
    this.held.shift()?.();
  }
  private check(): void {
    if (this.dead) throw new StorageError('TEST_CRASHED', 'the process is gone');
  }
  async get<T>(table: string, key: string): Promise<T | undefined> {
    this.check();
    return this.inner.get<T>(table, key);
  }
  async getMany<T>(table: string, keys: string[]): Promise<(T | undefined)[]> {
    this.check();
    return this.inner.getMany<T>(table, keys);
  }
  recover(writer: string): Promise<boolean> {
    return this.inner.recover(writer);
  }

  async batch(ops: KvOp[]): Promise<void> {
    this.check();
    // Batches may run concurrently (one per partition): each keeps its own number.
    const n = ++this.batches;
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.dieOn?.n === n && !this.dieOn.applied) this.dead = true;
    this.check();
    await this.inner.batch(ops);
    if (this.dieOn?.n === n) this.dead = true;
    this.check();
  }
  scan<T>(table: string, options?: KvScanOptions): AsyncIterable<[string, T]> {
    this.check();
    return this.inner.scan<T>(table, options);
  }
  count(table: string): Promise<number> {
    return this.inner.count(table);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
