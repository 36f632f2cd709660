import { createHash } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { renderDemoImage } from './demo-image';

/** Post ids are unsigned 64-bit decimals: at most 20 digits. */
const IMAGE_ID = /^[0-9]{1,20}$/;

function notFound(res: Response, message: string): void {
  res.status(404).json({ error: { code: 'NOT_FOUND', message } });
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): a W/ prefix on either side is ignored. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function serveImage(req: Request, res: Response): void {
  const id = String(req.params.id);
  if (!IMAGE_ID.test(id)) return notFound(res, `no demo image "${id.slice(0, 40)}": ids are 1 to 20 digits`);
  const body = Buffer.from(renderDemoImage(id), 'utf8');
  // The picture depends only on the id and the renderer, so its hash is a strong validator.
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  if (matchesEtag(req.get('If-None-Match'), etag)) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', 'image/svg+xml; charset=utf-8');
  res.setHeader('Content-Length', String(body.length));
  // Opened on its own, an SVG is a document: allow nothing but drawing.
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.status(200).end(body);
}

/**
 * Serves the demo posts' pictures at GET /demo/images/<id>.svg, rendered on
 * the fly so the demo works offline. Anything else under /demo/images is a
 * JSON 404, so a typo never falls through to another route.
 */
export function demoImageRouter(): Router {
  const router = express.Router();
  router.get('/demo/images/:id.svg', serveImage);
  router.all('/demo/images/{*rest}', (req, res) =>
    notFound(res, `no demo image at ${req.path.slice(0, 80)}`),
  );
  return router;
}
