import type { estypes } from '@elastic/elasticsearch';
import hashtags from '../../../schemas/elasticsearch/hashtags.json';
import locations from '../../../schemas/elasticsearch/locations.json';
import media from '../../../schemas/elasticsearch/media.json';
import users from '../../../schemas/elasticsearch/users.json';
import type { IndexKind } from '../../ports/search-index';

/** Settings and mappings of one physical index: the body of a create-index call. */
export interface IndexSchema {
  settings: estypes.IndicesIndexSettings;
  mappings: estypes.MappingTypeMapping;
}

/** The JSON files in schemas/elasticsearch; JSON literals widen to string, hence the cast. */
const SCHEMAS = { users, hashtags, locations, media } as unknown as Record<IndexKind, IndexSchema>;

/**
 * The current schema of a kind, deep-copied so a caller may change it. Extra
 * index settings (replicas, refresh interval) are merged over the file's.
 */
export function indexSchemaOf(kind: IndexKind, extraSettings: Record<string, unknown> = {}): IndexSchema {
  const schema = structuredClone(SCHEMAS[kind]);
  const index = { ...(schema.settings.index as Record<string, unknown>), ...extraSettings };
  return { settings: { ...schema.settings, index }, mappings: schema.mappings };
}
