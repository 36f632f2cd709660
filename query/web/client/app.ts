import { searchTypeahead } from './api-client.js';
import { el } from './el.js';
import { renderHomePage } from './home-page.js';
import { pageHeading, setDocumentTitle } from './page-heading.js';
import { renderResultsPage } from './results-page.js';
import { navigate, startRouter, type Route } from './router.js';
import { renderTagPage } from './tag-page.js';
import { Typeahead } from './typeahead.js';

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page shell has no #${id}`);
  return node;
}

const main = byId('main', HTMLElement);
const typeahead = new Typeahead({
  input: byId('search-input', HTMLInputElement),
  listbox: byId('search-listbox', HTMLElement),
  status: byId('search-status', HTMLElement),
  suggest: searchTypeahead,
  go: navigate,
});

let page: AbortController | null = null;

function render(route: Route, signal: AbortSignal): void {
  switch (route.kind) {
    case 'home':
      void renderHomePage(main, signal);
      return;
    case 'tag':
      void renderTagPage(main, route.name, signal);
      return;
    case 'search':
      renderResultsPage(main, route.q, signal);
      return;
    case 'not-found':
      setDocumentTitle('Not found');
      main.replaceChildren(
        pageHeading('Page not found'),
        el(
          'p',
          { class: 'notice' },
          'Try the search box, or ',
          el('a', { href: '/' }, 'go to the start page'),
          '.',
        ),
      );
      return;
  }
}

startRouter((route, how) => {
  // Aborting cancels the old page's requests and stops its observers.
  page?.abort();
  page = new AbortController();
  typeahead.setText(route.kind === 'search' ? route.q : '');
  render(route, page.signal);
  if (how !== 'load') {
    window.scrollTo(0, 0);
    document.getElementById('page-title')?.focus();
  }
});
