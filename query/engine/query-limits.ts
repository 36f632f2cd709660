export interface QueryLimits {
  /** Longest query text accepted, in characters. */
  maxQueryLength: number;
  /** Deepest nesting of operators. */
  maxDepth: number;
  /** Most term leaves in one query. */
  maxTerms: number;
  /** Most users one `apply` may expand. */
  maxApplyFanout: number;
  /** Largest page of results. */
  maxResultLimit: number;
}

export const defaultQueryLimits: QueryLimits = {
  maxQueryLength: 4096,
  maxDepth: 16,
  maxTerms: 64,
  maxApplyFanout: 10_000,
  maxResultLimit: 1000,
};
