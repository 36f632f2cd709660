import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright-core';
import { startEmbeddedService } from '../query/service/embedded-service';
import { pollUntil } from './support/poll';

const CHROMIUM = '/usr/bin/chromium';
const PHONE = { width: 390, height: 844 };

interface HashtagHit {
  tag: string;
  displayName: string;
  totalPosts: number;
}
interface TagPage extends HashtagHit {
  topPosts: { id: string; imageUrl: string }[];
}

function tagPath(tag: string): string {
  return `/tags/${encodeURIComponent(tag)}`;
}

const haveChromium = existsSync(CHROMIUM);
const runBrowser = haveChromium || process.env.CI === 'true';
if (!runBrowser) {
  console.warn(`Skipping the browser tests: ${CHROMIUM} is missing (apt-get install -y chromium).`);
}

(runBrowser ? describe : describe.skip)(
  runBrowser
    ? 'web page in headless Chromium'
    : `web page in headless Chromium (skipped: ${CHROMIUM} is missing; apt-get install -y chromium)`,
  () => {
    let dataDir: string;
    let service: Awaited<ReturnType<typeof startEmbeddedService>> | undefined;
    let browser: Browser | undefined;
    const contexts: BrowserContext[] = [];
    /** The hashtag test 1 picks; test 2 goes back to its page. */
    let pickedTag: string | undefined;

    beforeAll(async () => {
      if (!haveChromium) throw new Error(`CI=true but ${CHROMIUM} is missing: apt-get install -y chromium`);
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'picsearch-web-'));
      service = await startEmbeddedService({ dataDir, port: 0, seedDemo: true });
      await service.ready();
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    }, 180_000);

    afterEach(async () => {
      await Promise.all(contexts.splice(0).map((c) => c.close()));
    });

    afterAll(async () => {
      await browser?.close();
      await service?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    async function api<T>(pathAndQuery: string): Promise<T> {
      const res = await fetch(new URL(pathAndQuery, service!.url));
      if (!res.ok) throw new Error(`${pathAndQuery}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    }

    async function firstHashtag(q: string): Promise<HashtagHit> {
      const { hashtags } = await api<{ hashtags: HashtagHit[] }>(`/v1/search?q=${encodeURIComponent(q)}`);
      if (!hashtags[0]) throw new Error(`the demo data has no hashtag for "${q}"`);
      return hashtags[0];
    }

    interface Tab {
      page: Page;
      /** Paths of /demo/images/ requests, in order. */
      images: string[];
      /** Paths and queries of /v1/ requests, in order. */
      apiCalls: string[];
      errors: string[];
    }

    /** A fresh browser context (empty cache) that records what the page requests and any errors. */
    async function openTab(viewport = PHONE): Promise<Tab> {
      const context = await browser!.newContext({ viewport, baseURL: service!.url, locale: 'en-US' });
      contexts.push(context);
      const page = await context.newPage();
      const tab: Tab = { page, images: [], apiCalls: [], errors: [] };
      page.on('request', (req) => {
        const url = new URL(req.url());
        if (url.pathname.startsWith('/demo/images/')) tab.images.push(url.pathname);
        if (url.pathname.startsWith('/v1/')) tab.apiCalls.push(url.pathname + url.search);
      });
      page.on('pageerror', (err) => tab.errors.push(err.message));
      page.on('console', (msg) => {
        if (msg.type() === 'error') tab.errors.push(msg.text());
      });
      return tab;
    }

    /** Waits until every grid image that has been given a src has finished loading. */
    async function settledImages(page: Page): Promise<void> {
      await pollUntil(
        () =>
          page.locator('main ul img').evaluateAll((imgs) => {
            const started = (imgs as HTMLImageElement[]).filter((img) => img.getAttribute('src'));
            return started.length > 0 && started.every((img) => img.complete && img.naturalWidth > 0);
          }),
        'the visible images to load',
      );
    }

    it('picks a hashtag from the typeahead and shows its grid (phone)', async () => {
      const want = await firstHashtag('sun');
      const info = await api<TagPage>(tagPath(want.tag).replace('/tags/', '/v1/tags/'));
      const { page, errors } = await openTab();
      await page.goto('/');

      const box = page.getByRole('combobox', { name: /search/i });
      await box.click();
      await box.pressSequentially('sun');
      const hashtags = page.getByRole('listbox').getByRole('group', { name: 'Hashtags' });
      const option = hashtags.getByRole('option').first();
      await option.waitFor();
      expect(await box.getAttribute('aria-expanded')).toBe('true');
      expect(await option.textContent()).toContain(`#${want.displayName}`);
      await option.click();

      await page.waitForURL((url) => url.pathname === tagPath(want.tag));
      await page.getByRole('heading', { level: 1, name: `#${info.displayName}` }).waitFor();
      const grid = page.getByRole('list', { name: `Top posts for #${info.displayName}` });
      await pollUntil(
        async () => (await grid.getByRole('listitem').count()) === info.topPosts.length,
        `${info.topPosts.length} tiles`,
      );
      expect(await page.locator('main data').getAttribute('value')).toBe(String(info.totalPosts));
      expect(await page.locator('main data').textContent()).toMatch(/^\d{1,3}(\.\d)?[KMB]?$/);
      const columns = await grid.evaluate((ul) => getComputedStyle(ul).gridTemplateColumns.split(' ').length);
      expect(columns).toBe(3);
      await settledImages(page);
      expect(await box.getAttribute('aria-expanded')).toBe('false');
      expect(errors).toEqual([]);
      pickedTag = want.tag;
    });

    it('fetches only the images near the viewport, and more as the page scrolls (phone)', async () => {
      const tag = pickedTag ?? (await firstHashtag('sun')).tag;
      const info = await api<TagPage>(tagPath(tag).replace('/tags/', '/v1/tags/'));
      expect(info.topPosts.length).toBeGreaterThan(40);
      const { page, images, apiCalls, errors } = await openTab();
      await page.addInitScript(() => {
        // Cumulative layout shift from the first paint on, read at the end of the test.
        const w = window as unknown as { cls: number };
        w.cls = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) w.cls += (entry as unknown as { value: number }).value;
        }).observe({ type: 'layout-shift', buffered: true });
      });
      await page.goto(tagPath(tag));
      const grid = page.getByRole('list', { name: /^Top posts for #/ });
      await pollUntil(
        async () => (await grid.getByRole('listitem').count()) === info.topPosts.length,
        'the grid',
      );
      await settledImages(page);

      const before = new Set(images).size;
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThan(40);
      const allowed = new Set(info.topPosts.map((p) => new URL(p.imageUrl, service!.url).pathname));
      expect(images.filter((p) => !allowed.has(p))).toEqual([]);
      expect(apiCalls).toEqual([`/v1/tags/${encodeURIComponent(tag)}`]);

      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      const last = new URL(info.topPosts.at(-1)!.imageUrl, service!.url).pathname;
      await pollUntil(() => new Set(images).size > before && images.includes(last), 'the bottom images');
      await settledImages(page);
      expect(images.length).toBe(new Set(images).size);

      expect(await page.evaluate(() => (window as unknown as { cls: number }).cls)).toBeLessThan(0.05);
      expect(errors).toEqual([]);
    });

    it('works from the keyboard alone: Tab, type, Escape, ArrowDown/ArrowUp, Enter', async () => {
      const want = await firstHashtag('#sun');
      const { page, errors } = await openTab({ width: 1280, height: 800 });
      await page.goto('/');
      const box = page.getByRole('combobox', { name: /search/i });
      const focused = (): Promise<boolean> => box.evaluate((input) => input === document.activeElement);
      for (let presses = 0; presses < 5 && !(await focused()); presses++) await page.keyboard.press('Tab');
      expect(await focused()).toBe(true);

      await page.keyboard.type('#sun');
      const listbox = page.getByRole('listbox');
      await listbox.getByRole('option').first().waitFor();
      expect(await box.getAttribute('aria-expanded')).toBe('true');
      expect(await box.getAttribute('aria-controls')).toBe(await listbox.getAttribute('id'));
      expect(await listbox.getByRole('group', { name: 'People' }).count()).toBe(0);

      await page.keyboard.press('Escape');
      await listbox.waitFor({ state: 'hidden' });
      expect(await box.getAttribute('aria-expanded')).toBe('false');
      expect(await box.inputValue()).toBe('#sun');

      const active = async (): Promise<string> => {
        const id = await box.getAttribute('aria-activedescendant');
        if (!id) throw new Error('no active option');
        const option = page.locator(`[id="${id}"]`);
        expect(await option.getAttribute('role')).toBe('option');
        expect(await option.getAttribute('aria-selected')).toBe('true');
        return (await option.textContent())!;
      };
      await page.keyboard.press('ArrowDown');
      expect(await box.getAttribute('aria-expanded')).toBe('true');
      const first = await active();
      expect(first).toContain(`#${want.displayName}`);
      if ((await listbox.getByRole('option').count()) > 1) {
        await page.keyboard.press('ArrowDown');
        expect(await active()).not.toBe(first);
        await page.keyboard.press('ArrowUp');
        expect(await active()).toBe(first);
      }
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === tagPath(want.tag));
      await page.getByRole('heading', { level: 1, name: `#${want.displayName}` }).waitFor();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('page-title');

      // Enter with no active option searches media for the typed text.
      await box.focus();
      await page.keyboard.type(`#${want.tag}`);
      await page.keyboard.press('Enter');
      await page.waitForURL(
        (url) => url.pathname === '/search' && url.searchParams.get('q') === `#${want.tag}`,
      );
      await page.getByRole('heading', { level: 1, name: `Results for #${want.tag}` }).waitFor();
      expect(errors).toEqual([]);
    });

    it('asks for suggestions once the typing settles and aborts the stale request', async () => {
      const want = await firstHashtag('#sun');
      const { page, errors } = await openTab();
      const asked: string[] = [];
      const aborted: string[] = [];
      const held: Route[] = [];
      const q = (url: string): string => new URL(url).searchParams.get('q') ?? '';
      // Hold every suggestion response so the first is still in flight when the next keystroke lands.
      await page.route('**/v1/search?*', (route) => {
        asked.push(q(route.request().url()));
        held.push(route);
      });
      page.on('requestfailed', (req) => {
        if (req.url().includes('/v1/search?')) aborted.push(q(req.url()));
      });
      await page.clock.install();
      await page.goto('/');
      await page.getByRole('combobox', { name: /search/i }).focus();

      await page.keyboard.type('#su');
      await page.clock.runFor(100);
      expect(asked).toEqual([]);
      await page.clock.runFor(50);
      await pollUntil(() => asked.length === 1, 'the first suggestion request');
      expect(asked).toEqual(['#su']);

      await page.keyboard.type('n');
      await pollUntil(() => aborted.includes('#su'), 'the stale request to be aborted');
      await page.clock.runFor(150);
      await pollUntil(() => asked.length === 2, 'the second suggestion request');
      expect(asked).toEqual(['#su', '#sun']);
      for (const route of held) await route.continue().catch(() => {});

      const option = page.getByRole('listbox').getByRole('option').first();
      await option.waitFor();
      expect(await option.textContent()).toContain(`#${want.displayName}`);
      expect(asked).toEqual(['#su', '#sun']);
      expect(errors).toEqual([]);
    });

    it('shows search results with their total, loads more on scroll, and reports bad queries inline', async () => {
      const q = `#${pickedTag ?? (await firstHashtag('sun')).tag}`;
      const pageSize = 30;
      const first = await api<{ total: number }>(`/v1/media?q=${encodeURIComponent(q)}&limit=1`);
      expect(first.total).toBeGreaterThan(pageSize);
      const { page, apiCalls, errors } = await openTab();
      await page.goto(`/search?q=${encodeURIComponent(q)}`);
      const summary = `${first.total.toLocaleString('en-US')} posts`;
      await page.getByText(summary, { exact: true }).waitFor();
      const grid = page.getByRole('list', { name: `Posts matching ${q}` });
      const tiles = (): Promise<number> => grid.getByRole('listitem').count();
      await pollUntil(async () => (await tiles()) >= pageSize, 'the first page');
      // The page fetches ahead of the viewport, but not the whole result.
      if (first.total > 5 * pageSize) expect(await tiles()).toBeLessThan(first.total);

      // On a phone, four pages reach further than the read-ahead: only scrolling loads them.
      const target = Math.min(first.total, 4 * pageSize);
      await pollUntil(async () => {
        await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
        return (await tiles()) >= target;
      }, `${target} tiles after scrolling`);
      expect(
        apiCalls.some(
          (c) => c.startsWith('/v1/media?') && new URLSearchParams(c.split('?')[1]).get('cursor'),
        ),
      ).toBe(true);

      const bad = '(and tag:sunset';
      const res = await fetch(new URL(`/v1/media?q=${encodeURIComponent(bad)}`, service!.url));
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; details?: { position?: number } } };
      await page.goto(`/search?q=${encodeURIComponent(bad)}`);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain(error.code);
      if (typeof error.details?.position === 'number') {
        const lines = (await alert.locator('pre').textContent())!.split('\n');
        expect(lines).toEqual([bad, `${' '.repeat(Math.min(error.details.position, bad.length))}^`]);
      }

      await page.goto('/tags/nosuchtaganywhere');
      await page.getByText('No posts for #nosuchtaganywhere yet.').waitFor();
      // The only console errors allowed are the browser's notes on the two 4xx responses.
      expect(errors.filter((e) => !/status of 40[04]/.test(e))).toEqual([]);
    });

    it('offers the hashtags, people and places a query of plain words starts, as links', async () => {
      // The demo data has people, hashtags and places starting "ma".
      const word = 'ma';
      const expected = await api<{
        users: { username: string }[];
        hashtags: HashtagHit[];
        locations: { id: string }[];
      }>(`/v1/search?q=${word}`);
      for (const hits of [expected.users, expected.hashtags, expected.locations])
        expect(hits.length).toBeGreaterThan(0);
      const { page, errors } = await openTab();
      await page.goto(`/search?q=${word}`);
      await page.getByRole('alert').waitFor();
      await page.getByRole('heading', { name: 'Did you mean' }).waitFor();
      const hrefs = (name: string) =>
        page
          .getByRole('list', { name })
          .getByRole('link')
          .evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      expect(await hrefs('Hashtags')).toEqual(expected.hashtags.map((h) => tagPath(h.tag)));
      expect(await hrefs('People')).toEqual(
        expected.users.map((u) => `/search?q=${encodeURIComponent(`@${u.username}`)}`),
      );
      expect(await hrefs('Places')).toEqual(
        expected.locations.map((l) => `/search?q=${encodeURIComponent(`loc:${l.id}`)}`),
      );

      const want = expected.hashtags[0]!;
      await page.getByRole('link', { name: `#${want.displayName}` }).click();
      await page.waitForURL((url) => url.pathname === tagPath(want.tag));
      await page.getByRole('heading', { level: 1, name: `#${want.displayName}` }).waitFor();
      expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    });
  },
);
