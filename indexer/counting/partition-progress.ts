import type { KvStore } from '../../platform/ports/kv-store';
import { KV, checkpointKey } from '../kv-tables';

/** Key of the seq watermark of one (consumed partition, source partition) pair. */
export function watermarkKey(groupId: string, partition: number, source: number): string {
  return `${groupId}:${partition}:${source}`;
}

/**
 * How far one consumed partition has been read: the next offset to read and,
 * per source partition of POST_PUBLISH, the highest seq applied. Loaded from
 * the durable checkpoint and watermarks, then advanced in memory as records
 * arrive, so duplicates are caught whether their original is durable or
 * still buffered.
 */
export class PartitionProgress {
  private constructor(
    readonly partition: number,
    public nextOffset: number,
    private readonly seqBySource: Map<number, number>,
  ) {}

  static async load(
    kv: KvStore,
    options: { groupId: string; topic: string; partition: number; watermarkTable: string },
  ): Promise<PartitionProgress> {
    const { groupId, topic, partition, watermarkTable } = options;
    const checkpoint = await kv.get<number>(KV.checkpoints, checkpointKey(groupId, topic, partition));
    const seqBySource = new Map<number, number>();
    const prefix = `${groupId}:${partition}:`;
    for await (const [key, seq] of kv.scan<number>(watermarkTable, { prefix })) {
      seqBySource.set(Number(key.slice(prefix.length)), seq);
    }
    return new PartitionProgress(partition, checkpoint ?? 0, seqBySource);
  }

  /** True when the record is new for its source; it then becomes the watermark. */
  admit(source: number, seq: number): boolean {
    const seen = this.seqBySource.get(source);
    if (seen !== undefined && seq <= seen) return false;
    this.seqBySource.set(source, seq);
    return true;
  }
}
