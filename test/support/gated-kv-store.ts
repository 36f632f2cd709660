import { KV } from '../../indexer/kv-tables';
import type { KvOp, KvStore } from '../../platform/ports/kv-store';

/** A map-backed store whose hashtag-name reads can be held back or made to fail. */
export class GatedKv implements KvStore {
  readonly tables = new Map<string, Map<string, unknown>>();
  readonly reads = new Map<string, number>();
  gate: Promise<void> | undefined;
  failWith: Error | undefined;

  put(table: string, key: string, value: unknown): void {
    if (!this.tables.has(table)) this.tables.set(table, new Map());
    this.tables.get(table)!.set(key, value);
  }
  async get<T>(table: string, key: string): Promise<T | undefined> {
    return (await this.getMany<T>(table, [key]))[0];
  }
  async getMany<T>(table: string, keys: string[]): Promise<(T | undefined)[]> {
    this.reads.set(table, (this.reads.get(table) ?? 0) + 1);
    if (table === KV.hashtagNames) {
      await this.gate;
      if (this.failWith) throw this.failWith;
    }
    return keys.map((k) => this.tables.get(table)?.get(k) as T | undefined);
  }
  async recover(): Promise<boolean> {
    return false;
  }
  async batch(ops: KvOp[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put') this.put(op.table, op.key, op.value);
      else this.tables.get(op.table)?.delete(op.key);
    }
  }
  async *scan<T>(table: string, options: { prefix?: string } = {}): AsyncIterable<[string, T]> {
    const rows = [...(this.tables.get(table) ?? [])].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [k, v] of rows) if (k.startsWith(options.prefix ?? '')) yield [k, v as T];
  }
  async count(table: string): Promise<number> {
    return this.tables.get(table)?.size ?? 0;
  }
  async close(): Promise<void> {}
}
