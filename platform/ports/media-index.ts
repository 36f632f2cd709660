/**
 * The media-document port: where the search box's media documents live for
 * full-text use. Distributed: the Elasticsearch `media` alias, written by the
 * live index consumer and rebuilt by `reindex`. Embedded mode has none (the
 * API reads media from the KV store).
 */
/** Any document keyed by its `id` (the indexer sends MediaDoc). */
export interface MediaDocument {
  id: string;
}

export interface MediaIndex {
  /** Upserts by id; idempotent. Documents that cannot be indexed are returned, not thrown. */
  upsertMedia(docs: MediaDocument[]): Promise<{ failed: { id: string; reason: string }[] }>;
  /** Deletes by id; ids not present are fine. */
  removeMedia(ids: string[]): Promise<void>;
  /** Makes completed writes visible to `getMedia`. */
  refreshMedia(): Promise<void>;
  getMedia(id: string): Promise<(MediaDocument & Record<string, unknown>) | undefined>;
}
