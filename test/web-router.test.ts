import { readdir, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { createWebRouter } from '../query/web/web-router';

const CLIENT_DIR = path.join(__dirname, '..', 'query', 'web', 'client');

describe('web router', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    app.use(createWebRouter());
    server = app.listen(0);
    await new Promise<void>((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function clientModules(): Promise<string[]> {
    return (await readdir(CLIENT_DIR)).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
  }

  it('serves the shell for every page route, with a strong ETag that answers 304', async () => {
    const first = await fetch(`${base}/`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(first.headers.get('cache-control')).toBe('no-cache');
    expect(first.headers.get('content-security-policy')).toContain("default-src 'self'");
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(await first.text()).toBe(
      await readFile(path.join(CLIENT_DIR, '..', 'static', 'index.html'), 'utf8'),
    );

    for (const route of ['/tags/sunset', '/tags/caf%C3%A9', '/search?q=%23beach']) {
      const res = await fetch(base + route);
      expect([route, res.status, res.headers.get('etag')]).toEqual([route, 200, etag]);
    }
    const again = await fetch(`${base}/`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const weak = await fetch(`${base}/`, { headers: { 'if-none-match': `"other", W/${etag}` } });
    expect(weak.status).toBe(304);
    expect((await fetch(`${base}/`, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it('serves the stylesheet and every client module as JavaScript, with resolvable imports', async () => {
    const css = await fetch(`${base}/static/styles.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const names = await clientModules();
    expect(names).toContain('app');
    for (const name of names) {
      const res = await fetch(`${base}/static/js/${name}.js`);
      expect([name, res.status, res.headers.get('content-type')]).toEqual([
        name,
        200,
        'text/javascript; charset=utf-8',
      ]);
      const etag = res.headers.get('etag')!;
      const code = await res.text();
      // Types are gone, and every import names a sibling module the router serves.
      expect(code).not.toMatch(/^\s*(interface|type)\s/m);
      for (const [, spec] of code.matchAll(/\bfrom\s+'([^']+)'/g)) {
        expect([name, spec]).toEqual([name, expect.stringMatching(/^\.\/[a-z0-9-]+\.js$/)]);
        expect(names).toContain(spec!.slice(2, -3));
      }
      expect(
        (await fetch(`${base}/static/js/${name}.js`, { headers: { 'if-none-match': etag } })).status,
      ).toBe(304);
    }
  });

  it('preloads exactly the client modules from the shell', async () => {
    const html = await (await fetch(`${base}/`)).text();
    const preloaded = [...html.matchAll(/rel="modulepreload" href="\/static\/js\/([a-z0-9-]+)\.js"/g)].map(
      (m) => m[1],
    );
    expect(preloaded.sort()).toEqual((await clientModules()).sort());
  });

  it('answers 404 for anything that is not a client module', async () => {
    for (const bad of [
      'nope.js',
      'app.ts',
      'app',
      '..%2Fweb-router.js',
      '%2E%2E%2Fweb-router.js',
      'APP.js',
    ]) {
      const res = await fetch(`${base}/static/js/${bad}`);
      expect([bad, res.status]).toEqual([bad, 404]);
    }
  });

  it('keeps the whole page JS and CSS well under 50 KB', async () => {
    let bytes = (await (await fetch(`${base}/static/styles.css`)).arrayBuffer()).byteLength;
    for (const name of await clientModules()) {
      bytes += (await (await fetch(`${base}/static/js/${name}.js`)).arrayBuffer()).byteLength;
    }
    expect(bytes).toBeLessThan(40 * 1024);
  });
});
