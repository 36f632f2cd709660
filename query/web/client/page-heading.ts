import { el } from './el.js';

/**
 * The page's h1. It can take focus (tabindex=-1) so that after an in-app
 * navigation, focus and the screen reader land on the new page's title.
 */
export function pageHeading(text: string): HTMLHeadingElement {
  return el('h1', { id: 'page-title', tabindex: -1 }, text);
}

export function setDocumentTitle(title: string): void {
  document.title = title ? `${title} · picsearch` : 'picsearch';
}
