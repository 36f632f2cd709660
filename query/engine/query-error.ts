import { AppError } from '../../platform/errors';

export type QueryErrorCode =
  | 'EMPTY_QUERY'
  | 'SYNTAX_ERROR'
  | 'UNBALANCED_PAREN'
  | 'UNKNOWN_OPERATOR'
  | 'UNKNOWN_TERM_KIND'
  | 'BAD_ID'
  | 'BAD_ARGUMENT'
  | 'ARITY'
  | 'TYPE_MISMATCH'
  | 'LIMIT_EXCEEDED'
  | 'INVALID_AST'
  | 'BAD_CURSOR';

/**
 * A query the engine will not run. `position` is the character offset in the
 * query text; queries given as a JSON AST report `path` (e.g. `args.1.arg`)
 * and a position only where the node carries one.
 */
export class QueryError extends AppError {
  declare readonly code: QueryErrorCode;
  readonly position: number | null;
  readonly path: string | undefined;

  constructor(
    code: QueryErrorCode,
    message: string,
    position: number | null,
    options: { path?: string; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, {
      retriable: false,
      details: {
        position,
        ...(options.path === undefined ? {} : { path: options.path }),
        ...options.details,
      },
    });
    this.position = position;
    this.path = options.path;
  }
}
