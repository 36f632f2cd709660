export { DenseIdMap } from './dense-id-map';
export { isExternalId, splitExternalId, joinExternalId } from './external-id';
export {
  PostingIndex,
  type PostingOp,
  type TermRef,
  type IdTermKind,
  type UniverseKind,
} from './posting-index';
export type { IdSpace, SetType } from './set-type';
export { parseQuery } from './parse-query';
export { parseQueryAst } from './query-ast-schema';
export { checkQuery, type CheckedQuery } from './check-query';
export { formatQuery, type QueryNode, type TermKind, type ApplyKind } from './query-ast';
export { QueryError, type QueryErrorCode } from './query-error';
export { defaultQueryLimits, type QueryLimits } from './query-limits';
export { QueryEngine, type SearchOptions, type SearchPage, type QueryEngineOptions } from './query-engine';
export { writeSnapshot, readSnapshot, type SnapshotMeta, type LoadedSnapshot } from './snapshot-file';
