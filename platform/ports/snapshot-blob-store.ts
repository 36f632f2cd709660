/** JSON-serialisable facts about a snapshot, such as the log position it covers. */
export type BlobMeta = Record<string, unknown>;

export interface StoredBlob {
  bytes: Buffer;
  meta: BlobMeta;
  createdAt: Date;
}

/**
 * Named, versioned blobs: bitmap snapshots shared by every process in
 * distributed mode. A reader sees the newest complete blob, never a mix.
 */
export interface SnapshotBlobStore {
  putSnapshot(name: string, bytes: Uint8Array, meta?: BlobMeta): Promise<unknown>;
  getLatestSnapshot(name: string): Promise<StoredBlob | undefined>;
  close(): Promise<void>;
}
