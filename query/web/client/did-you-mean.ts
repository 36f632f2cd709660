import { searchTypeahead } from './api-client.js';
import { el } from './el.js';
import { suggestionGroups } from './suggestion-groups.js';

/**
 * Under a rejected query of plain words ("sun"), the people, hashtags and
 * places those words start: someone who pressed Enter before the suggestions
 * showed still gets them. Empty when nothing matches or the lookup fails.
 */
export function didYouMean(q: string, signal: AbortSignal): HTMLElement {
  const box = el('section', { class: 'did-you-mean', 'aria-live': 'polite' });
  void searchTypeahead(q, signal).then(
    (result) => {
      const groups = suggestionGroups(result).filter((g) => g.items.length > 0);
      if (groups.length === 0 || signal.aborted) return;
      box.append(el('h2', {}, 'Did you mean'));
      for (const g of groups) {
        const list = el('ul', { 'aria-label': g.label });
        for (const item of g.items) {
          list.append(
            el(
              'li',
              {},
              el('a', { href: item.path }, item.primary),
              ' ',
              el('span', { class: 'detail' }, item.secondary),
            ),
          );
        }
        box.append(list);
      }
    },
    // The error above already says what to type; suggestions are a bonus.
    () => undefined,
  );
  return box;
}
