export type Route =
  { kind: 'home' } | { kind: 'tag'; name: string } | { kind: 'search'; q: string } | { kind: 'not-found' };

export function tagPath(tag: string): string {
  return `/tags/${encodeURIComponent(tag)}`;
}

export function searchPath(q: string): string {
  return `/search?${new URLSearchParams({ q }).toString()}`;
}

export function matchRoute(url: URL): Route {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { kind: 'home' };
  if (path === '/search') return { kind: 'search', q: url.searchParams.get('q') ?? '' };
  const tag = /^\/tags\/([^/]+)$/.exec(path);
  if (tag) {
    try {
      return { kind: 'tag', name: decodeURIComponent(tag[1]!) };
    } catch {
      return { kind: 'not-found' };
    }
  }
  return { kind: 'not-found' };
}

type Listener = (route: Route, how: 'load' | 'push' | 'pop') => void;
let listener: Listener = () => {};

/** Goes to a page of the app without reloading it. */
export function navigate(path: string): void {
  const url = new URL(path, window.location.href);
  if (url.href === window.location.href) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listener(matchRoute(url), 'push');
}

function isAppLink(event: MouseEvent): HTMLAnchorElement | null {
  if (event.defaultPrevented || event.button !== 0) return null;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const link = event.target instanceof Element ? event.target.closest('a') : null;
  if (!link || link.target || link.hasAttribute('download')) return null;
  // In-page anchors such as the skip link keep their default behaviour.
  if (link.getAttribute('href')?.startsWith('#')) return null;
  const url = new URL(link.href);
  if (url.origin !== window.location.origin) return null;
  return matchRoute(url).kind === 'not-found' ? null : link;
}

/** Calls `onRoute` now and on every later navigation (links, back/forward, navigate()). */
export function startRouter(onRoute: Listener): void {
  listener = onRoute;
  history.scrollRestoration = 'manual';
  window.addEventListener('popstate', () => listener(matchRoute(new URL(window.location.href)), 'pop'));
  document.addEventListener('click', (event) => {
    const link = isAppLink(event);
    if (!link) return;
    event.preventDefault();
    navigate(link.href);
  });
  listener(matchRoute(new URL(window.location.href)), 'load');
}
