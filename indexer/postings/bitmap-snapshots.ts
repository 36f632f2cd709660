import { existsSync } from 'node:fs';
import type { PostingIndex } from '../../query/engine/posting-index';
import {
  decodeSnapshot,
  encodeSnapshot,
  readSnapshot,
  writeSnapshot,
  type LoadedSnapshot,
} from '../../query/engine/snapshot-file';
import type { SnapshotBlobStore } from '../../platform/ports/snapshot-blob-store';

/** Where a bitmap replica keeps its snapshots: a local file (embedded) or a shared blob store (distributed). */
export interface BitmapSnapshots {
  /** For logs and errors. */
  readonly where: string;
  /** The newest complete snapshot, or undefined when there is none yet. */
  load(): Promise<LoadedSnapshot | undefined>;
  /** Saves an image of `index` covering `position`; writers are blocked while it is taken. */
  save(index: PostingIndex, position: unknown): Promise<void>;
}

export function fileBitmapSnapshots(file: string): BitmapSnapshots {
  return {
    where: file,
    load: async () => (existsSync(file) ? readSnapshot(file) : undefined),
    save: async (index, position) => {
      await writeSnapshot(index, file, position);
    },
  };
}

/** Snapshots as chunked blobs; the image is taken in memory, then uploaded with writers running again. */
export function blobBitmapSnapshots(store: SnapshotBlobStore, name = 'bitmaps'): BitmapSnapshots {
  return {
    where: `blob store "${name}"`,
    load: async () => {
      const blob = await store.getLatestSnapshot(name);
      return blob ? decodeSnapshot(blob.bytes, `${name}@${blob.createdAt.toISOString()}`) : undefined;
    },
    save: async (index, position) => {
      const { bytes, meta } = await encodeSnapshot(index, position);
      await store.putSnapshot(name, bytes, { position: meta.position, lists: meta.lists });
    },
  };
}
