import type { ApiError } from './api-client.js';
import { el } from './el.js';

/**
 * Shows a rejected query inline: its code and message and, when the API gives
 * a character position, the query with a caret under that character.
 */
export function queryErrorView(q: string, err: ApiError): HTMLElement {
  const raw = err.details.position;
  const position =
    typeof raw === 'number' && Number.isInteger(raw) ? Math.max(0, Math.min(raw, q.length)) : null;
  const where = position === null ? '' : ` at character ${position + 1}`;
  const box = el(
    'div',
    { class: 'query-error', role: 'alert' },
    el('p', {}, el('strong', {}, err.code), `${where}: ${err.message}`),
  );
  if (position !== null) {
    // Columns, not UTF-16 units, so the caret lines up after emoji; whitespace shows as one space.
    const line = q.replace(/\s/g, ' ');
    const column = Array.from(line.slice(0, position)).length;
    box.append(el('pre', { 'aria-hidden': 'true' }, el('code', {}, `${line}\n${' '.repeat(column)}^`)));
  }
  return box;
}
