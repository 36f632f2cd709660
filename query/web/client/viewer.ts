const STORAGE_KEY = 'picsearch.viewer';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    // Storage can be disabled (privacy settings): the viewer then lasts one page load.
    return null;
  }
}

let fromUrl: string | null | undefined;

/**
 * The user the page searches as. `?viewer=<id>` in the page URL sets it and
 * keeps it in localStorage for later visits; `?viewer=` (empty) clears it.
 */
export function currentViewer(): string | null {
  if (fromUrl === undefined) {
    const param = new URLSearchParams(window.location.search).get('viewer');
    fromUrl = param === null ? null : param.trim();
    if (param !== null) {
      if (fromUrl) storage()?.setItem(STORAGE_KEY, fromUrl);
      else storage()?.removeItem(STORAGE_KEY);
    }
  }
  if (fromUrl !== null) return fromUrl || null;
  return storage()?.getItem(STORAGE_KEY) || null;
}
