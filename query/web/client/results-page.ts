import { ApiError, searchMedia, type MediaItem } from './api-client.js';
import { didYouMean } from './did-you-mean.js';
import { el } from './el.js';
import { createLazyImages } from './lazy-images.js';
import { createMediaGrid, mediaTile } from './media-grid.js';
import { pageHeading, setDocumentTitle } from './page-heading.js';
import { queryErrorView } from './query-error-view.js';

/** A multiple of the grid's three columns, so pages end on a full row. */
const PAGE_SIZE = 30;

function altText(item: MediaItem): string {
  const date = new Date(item.createdAt);
  const when = Number.isNaN(date.getTime()) ? '' : `, posted ${date.toLocaleDateString()}`;
  return `Post by user ${item.authorId}${when}`;
}

/**
 * /search?q=…: the total and the media grid, newest first. More pages load as
 * a sentinel below the grid nears the viewport, following nextCursor.
 */
export function renderResultsPage(main: HTMLElement, q: string, signal: AbortSignal): void {
  setDocumentTitle(q || 'Search');
  const heading = pageHeading(q ? `Results for ${q}` : 'Search');
  if (!q) {
    main.replaceChildren(
      heading,
      el('p', { class: 'notice' }, 'Search for #tags, @people or places, e.g. #sunset #beach -#nsfw.'),
    );
    return;
  }
  const summary = el('p', { class: 'summary', 'aria-live': 'polite' }, 'Searching…');
  const grid = createMediaGrid(`Posts matching ${q}`);
  const more = el('div', { class: 'more', 'aria-live': 'polite' });
  const sentinel = el('div', { class: 'sentinel', 'aria-hidden': 'true' });
  main.replaceChildren(heading, summary, grid, more, sentinel);

  const lazy = createLazyImages();
  let cursor: string | null = null;
  let loading = false;
  let first = true;
  const observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMore();
    },
    { rootMargin: '600px 0px' },
  );
  signal.addEventListener(
    'abort',
    () => {
      observer.disconnect();
      lazy.disconnect();
    },
    { once: true },
  );

  const stop = (): void => {
    observer.disconnect();
    sentinel.remove();
  };

  async function loadMore(): Promise<void> {
    if (loading) return;
    loading = true;
    if (!first) more.textContent = 'Loading more…';
    try {
      const page = await searchMedia(q, cursor, PAGE_SIZE, signal);
      if (first) {
        summary.textContent =
          page.total === 0
            ? 'No posts match.'
            : `${page.total.toLocaleString()} post${page.total === 1 ? '' : 's'}`;
        first = false;
      }
      for (const item of page.items) grid.append(mediaTile(item.imageUrl, altText(item), lazy));
      more.replaceChildren();
      cursor = page.nextCursor;
      if (cursor === null) {
        stop();
      } else {
        // Observing again reports the sentinel's current state, so a page that
        // still leaves it in view loads the next one straight away.
        observer.unobserve(sentinel);
        observer.observe(sentinel);
      }
    } catch (err) {
      if (signal.aborted) return;
      if (first && err instanceof ApiError && err.status === 400) {
        stop();
        summary.replaceWith(queryErrorView(q, err));
        if (!/[#＃@():]/u.test(q)) grid.before(didYouMean(q, signal));
        return;
      }
      observer.unobserve(sentinel);
      const retry = el('button', { type: 'button' }, 'Try again');
      retry.addEventListener('click', () => void loadMore(), { once: true });
      more.replaceChildren(
        el(
          'p',
          { role: 'alert' },
          `Could not load posts: ${err instanceof Error ? err.message : String(err)}`,
        ),
        retry,
      );
      if (first) summary.textContent = '';
    } finally {
      loading = false;
    }
  }

  void loadMore();
}
