import { fetchTrending } from './api-client.js';
import { el } from './el.js';
import { formatCount } from './format-count.js';
import { pageHeading, setDocumentTitle } from './page-heading.js';
import { tagPath } from './router.js';

const TRENDING_LIMIT = 10;

/** The start page: the header's search box does the work; trending tags sit under it. */
export async function renderHomePage(main: HTMLElement, signal: AbortSignal): Promise<void> {
  setDocumentTitle('');
  const list = el('ol', { class: 'trending', 'aria-labelledby': 'trending-title' });
  const status = el('p', { class: 'summary', 'aria-live': 'polite' }, 'Loading…');
  main.replaceChildren(
    pageHeading('Find photos, people and places'),
    el('h2', { id: 'trending-title' }, 'Trending'),
    status,
    list,
  );
  try {
    const { tags } = await fetchTrending(TRENDING_LIMIT, signal);
    status.textContent = 'Nothing is trending right now.';
    status.hidden = tags.length > 0;
    for (const t of tags) {
      list.append(
        el(
          'li',
          {},
          el('a', { href: tagPath(t.tag) }, `#${t.displayName}`),
          el(
            'span',
            { class: 'muted' },
            ` ${formatCount(t.count)} recent ${t.count === 1 ? 'post' : 'posts'}`,
          ),
        ),
      );
    }
  } catch {
    if (signal.aborted) return;
    status.textContent = 'Trending tags are unavailable right now.';
  }
}
