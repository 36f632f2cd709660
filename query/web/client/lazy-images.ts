export interface LazyImages {
  /** Loads `img` from its data-src once it comes near the viewport. */
  observe(img: HTMLImageElement): void;
  disconnect(): void;
}

function load(img: HTMLImageElement): void {
  const src = img.dataset.src;
  if (!src) return;
  img.src = src;
  delete img.dataset.src;
}

/**
 * Images start without a src so the browser fetches none of them up front;
 * the observer sets it as each one gets within `rootMargin` of the viewport.
 */
export function createLazyImages(rootMargin = '200px 0px'): LazyImages {
  if (typeof IntersectionObserver === 'undefined') {
    return { observe: load, disconnect: () => {} };
  }
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        load(entry.target as HTMLImageElement);
      }
    },
    { rootMargin },
  );
  return {
    observe: (img) => observer.observe(img),
    disconnect: () => observer.disconnect(),
  };
}
