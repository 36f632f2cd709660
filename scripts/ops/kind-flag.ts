import { z } from 'zod';
import { INDEX_KINDS, type IndexKind } from '../../platform/ports/search-index';

/** `--kind users,media`: a comma-separated list of index kinds. */
export const kindListFlag = () =>
  z
    .string()
    .transform((s) => s.split(',').map((k) => k.trim()))
    .pipe(
      z
        .array(
          z.enum(INDEX_KINDS as [IndexKind, ...IndexKind[]], {
            error: `each must be one of ${INDEX_KINDS.join(', ')}`,
          }),
        )
        .min(1),
    );
