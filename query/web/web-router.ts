import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import express, { type Request, type Response } from 'express';

export interface WebRouterOptions {
  /** Where the browser code's .ts modules live (default: query/web/client). */
  clientDir?: string;
  /** Where index.html and styles.css live (default: query/web/static). */
  staticDir?: string;
}

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const HTML = 'text/html; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';

/** The shell only loads what the app itself serves. */
const SHELL_CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const MODULE_FILE = /^[a-z0-9][a-z0-9-]*\.ts$/;

/** The directory beside this file, or (when running compiled from dist/) the one in the source tree. */
function defaultDir(name: string, marker: string): string {
  const beside = path.join(__dirname, name);
  if (existsSync(path.join(beside, marker))) return beside;
  return path.resolve(__dirname, '..', '..', '..', 'query', 'web', name);
}

function makeAsset(body: string | Buffer, type: string): Asset {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  // Strong validator: a hash of the exact bytes.
  return { body: buf, type, etag: `"${createHash('sha256').update(buf).digest('base64url')}"` };
}

/** Builds once on first use; a failure is not cached, so the next request tries again. */
function memo<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    pending ??= build().catch((err: unknown) => {
      pending = null;
      throw err;
    });
    return pending;
  };
}

function notModified(req: Request, etag: string): boolean {
  const header = req.get('if-none-match');
  if (!header) return false;
  // If-None-Match uses weak comparison, so W/"x" matches "x".
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

function send(req: Request, res: Response, asset: Asset, headers: Record<string, string> = {}): void {
  res.set({
    'Content-Type': asset.type,
    'Cache-Control': 'no-cache',
    ETag: asset.etag,
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  if (notModified(req, asset.etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).set('Content-Length', String(asset.body.length)).end(asset.body);
}

async function transpile(file: string): Promise<Asset> {
  const source = await readFile(file, 'utf8');
  // Loaded on first use: the typescript package is large and only this route needs it.
  const { transpileModule, ScriptTarget, ModuleKind, flattenDiagnosticMessageText } =
    await import('typescript');
  const out = transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { target: ScriptTarget.ES2020, module: ModuleKind.ESNext, removeComments: true },
  });
  const problems = out.diagnostics ?? [];
  if (problems.length > 0) {
    const text = problems.map((d) => flattenDiagnosticMessageText(d.messageText, '\n')).join('; ');
    throw new Error(`cannot transpile ${path.basename(file)}: ${text}`);
  }
  return makeAsset(out.outputText, JS);
}

/**
 * The web page: the HTML shell for `/`, `/tags/:name` and `/search` (the
 * browser routes among them), the stylesheet, and the browser modules at
 * `/static/js/<name>.js`, transpiled from `<clientDir>/<name>.ts` on first
 * request and kept in memory. Responses carry a strong ETag and
 * `Cache-Control: no-cache`, so a reload costs a 304 per file.
 */
export function createWebRouter(options: WebRouterOptions = {}): express.Router {
  const clientDir = path.resolve(options.clientDir ?? defaultDir('client', 'app.ts'));
  const staticDir = path.resolve(options.staticDir ?? defaultDir('static', 'index.html'));

  const shell = memo(async () => makeAsset(await readFile(path.join(staticDir, 'index.html')), HTML));
  const styles = memo(async () => makeAsset(await readFile(path.join(staticDir, 'styles.css')), CSS));
  // Only files present at start-up can be asked for, so no request path ever reaches the file system.
  const modules = new Map<string, () => Promise<Asset>>();
  for (const file of readdirSync(clientDir)) {
    if (!MODULE_FILE.test(file)) continue;
    const full = path.join(clientDir, file);
    modules.set(
      file.slice(0, -'.ts'.length),
      memo(() => transpile(full)),
    );
  }

  const router = express.Router();
  router.get(['/', '/tags/:name', '/search'], async (req, res) => {
    send(req, res, await shell(), { 'Content-Security-Policy': SHELL_CSP });
  });
  router.get('/static/styles.css', async (req, res) => {
    send(req, res, await styles());
  });
  router.get('/static/js/:file', async (req, res) => {
    const file = req.params.file;
    const load = file.endsWith('.js') ? modules.get(file.slice(0, -'.js'.length)) : undefined;
    if (!load) {
      res.status(404).type('text/plain').send('no such module');
      return;
    }
    send(req, res, await load());
  });
  return router;
}
