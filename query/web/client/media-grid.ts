import { el } from './el.js';
import type { LazyImages } from './lazy-images.js';

/** The intrinsic size given to every tile: it reserves a square before the image arrives. */
const TILE_SIZE = 320;

export function createMediaGrid(label: string): HTMLUListElement {
  return el('ul', { class: 'media-grid', 'aria-label': label });
}

/** A square tile whose image is fetched only when it nears the viewport. */
export function mediaTile(imageUrl: string, alt: string, lazy: LazyImages): HTMLLIElement {
  const img = el('img', {
    'data-src': imageUrl,
    alt,
    width: TILE_SIZE,
    height: TILE_SIZE,
    loading: 'lazy',
    decoding: 'async',
  });
  lazy.observe(img);
  return el('li', {}, img);
}
