import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AuthError } from '../../platform/errors';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Guards admin routes with `Authorization: Bearer <ADMIN_TOKEN>`. Digests
 * are compared, so the comparison takes the same time whatever the length
 * or content of the guess. With no token configured every admin call is
 * refused: admin routes are never open by default.
 */
export function requireAdmin(adminToken: string | undefined): RequestHandler {
  const expected = adminToken ? digest(adminToken) : undefined;
  return (req, _res, next) => {
    if (expected === undefined) {
      return next(new AuthError('ADMIN_DISABLED', 'admin routes are disabled: ADMIN_TOKEN is not set'));
    }
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      return next(
        new AuthError('UNAUTHORIZED', 'a valid Authorization: Bearer <ADMIN_TOKEN> header is required'),
      );
    }
    next();
  };
}
