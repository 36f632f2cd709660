import type { PreparedOp } from '../lmdb-kv/prepare-batch';
import { bucketOfKey } from './kv-bucket';

/** Statements of one partition sent as one UNLOGGED batch: atomic and isolated, since it is one partition. */
export type PartitionChunk = PreparedOp[];

export interface PartitionWrite {
  bucket: number;
  /** Sent one after another; more than one only for very large runs. */
  chunks: PartitionChunk[];
}

/** Consecutive ops of one table; a run starts only once the previous one is stored. */
export interface BatchRun {
  table: string;
  partitions: PartitionWrite[];
}

/** Keeps each CQL batch far below the server's mutation limit (half a commit-log segment, 16 MiB by default). */
export const MAX_CHUNK_STATEMENTS = 500;
export const MAX_CHUNK_BYTES = 512 * 1024;
/** Bucket, lengths and the timestamp of one statement, roughly. */
const STATEMENT_OVERHEAD = 32;

/**
 * Cuts a validated batch into runs of consecutive ops on one table, and each
 * run into per-partition writes. Within a partition only the last op on a
 * key is kept: the statements of one CQL batch share a timestamp, where a
 * delete would beat a put whatever their order.
 */
export function planBatchRuns(ops: readonly PreparedOp[]): BatchRun[] {
  const runs: BatchRun[] = [];
  let i = 0;
  while (i < ops.length) {
    const table = ops[i]!.table;
    const byBucket = new Map<number, Map<string, PreparedOp>>();
    for (; i < ops.length && ops[i]!.table === table; i++) {
      const op = ops[i]!;
      const bucket = bucketOfKey(op.key);
      let latest = byBucket.get(bucket);
      if (latest === undefined) byBucket.set(bucket, (latest = new Map()));
      // Re-inserting moves the key to its last position, so chunks follow the ops' final order.
      latest.delete(op.key);
      latest.set(op.key, op);
    }
    runs.push({
      table,
      partitions: [...byBucket].map(([bucket, latest]) => ({ bucket, chunks: chunk([...latest.values()]) })),
    });
  }
  return runs;
}

function chunk(ops: PreparedOp[]): PartitionChunk[] {
  const chunks: PartitionChunk[] = [];
  let current: PartitionChunk = [];
  let bytes = 0;
  for (const op of ops) {
    const size = STATEMENT_OVERHEAD + op.key.length * 3 + (op.type === 'put' ? op.encoded.length : 0);
    if (current.length > 0 && (current.length >= MAX_CHUNK_STATEMENTS || bytes + size > MAX_CHUNK_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(op);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
