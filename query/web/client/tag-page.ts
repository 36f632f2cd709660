import { ApiError, fetchTag } from './api-client.js';
import { el } from './el.js';
import { formatCount } from './format-count.js';
import { createLazyImages } from './lazy-images.js';
import { createMediaGrid, mediaTile } from './media-grid.js';
import { pageHeading, setDocumentTitle } from './page-heading.js';

/** /tags/:name: the tag's name and post count, then its top posts, images loaded as they scroll in. */
export async function renderTagPage(main: HTMLElement, name: string, signal: AbortSignal): Promise<void> {
  const heading = pageHeading(`#${name}`);
  const summary = el('p', { class: 'summary', 'aria-live': 'polite' }, 'Loading…');
  main.replaceChildren(heading, summary);
  main.setAttribute('aria-busy', 'true');
  setDocumentTitle(`#${name}`);
  try {
    const page = await fetchTag(name, signal);
    heading.textContent = `#${page.displayName}`;
    setDocumentTitle(`#${page.displayName}`);
    summary.replaceChildren(
      el(
        'data',
        { value: page.totalPosts, title: page.totalPosts.toLocaleString() },
        formatCount(page.totalPosts),
      ),
      page.totalPosts === 1 ? ' post' : ' posts',
    );
    if (page.topPosts.length === 0) {
      main.append(el('p', { class: 'notice' }, `No posts for #${page.displayName} yet.`));
      return;
    }
    const lazy = createLazyImages();
    signal.addEventListener('abort', () => lazy.disconnect(), { once: true });
    const grid = createMediaGrid(`Top posts for #${page.displayName}`);
    page.topPosts.forEach((post, i) =>
      grid.append(mediaTile(post.imageUrl, `Top post ${i + 1} tagged #${page.displayName}`, lazy)),
    );
    main.append(el('h2', { class: 'visually-hidden' }, 'Top posts'), grid);
  } catch (err) {
    if (signal.aborted) return;
    if (err instanceof ApiError && err.status === 404) {
      summary.textContent = `No posts for #${name} yet.`;
      summary.classList.add('notice');
      return;
    }
    summary.replaceChildren();
    main.append(
      el(
        'p',
        { class: 'error', role: 'alert' },
        `Could not load #${name}: ${err instanceof Error ? err.message : String(err)}`,
      ),
    );
  } finally {
    // After an abort, main already belongs to the next page.
    if (!signal.aborted) main.removeAttribute('aria-busy');
  }
}
