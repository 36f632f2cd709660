// Response shapes the server builds, imported for their types only: nothing of
// the server reaches the browser, since transpiling drops type-only imports.
import type { MediaItem, MediaPage } from '../../search/media-search.js';
import type { TypeaheadResult } from '../../search/typeahead.js';
import { currentViewer } from './viewer.js';

export type { MediaItem, MediaPage, TypeaheadResult };

export interface TagPage {
  tag: string;
  displayName: string;
  totalPosts: number;
  topPosts: { id: string; imageUrl: string }[];
}

export interface TrendingTag {
  tag: string;
  displayName: string;
  score: number;
  count: number;
}

/** An error response from the API (`{ error: { code, message, details } }`) or a failed request. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

type Params = Record<string, string | number | null | undefined>;

async function getJson<T>(path: string, params: Params, signal?: AbortSignal): Promise<T> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') query.set(key, String(value));
  }
  const qs = query.toString();
  let res: Response;
  try {
    res = await fetch(qs ? `${path}?${qs}` : path, { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError(0, 'NETWORK', 'the server could not be reached');
  }
  const body: unknown = await res.json().catch(() => null);
  // An abort while reading the body must still read as an abort, not a bad response.
  signal?.throwIfAborted();
  if (res.ok && body !== null) return body as T;
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  throw new ApiError(
    res.status,
    typeof error?.code === 'string' ? error.code : `HTTP_${res.status}`,
    typeof error?.message === 'string' ? error.message : res.statusText || 'unexpected response',
    typeof error?.details === 'object' && error.details !== null
      ? (error.details as Record<string, unknown>)
      : {},
  );
}

export function searchTypeahead(q: string, signal?: AbortSignal): Promise<TypeaheadResult> {
  return getJson('/v1/search', { q, viewer: currentViewer() }, signal);
}

export function fetchTag(name: string, signal?: AbortSignal): Promise<TagPage> {
  return getJson(`/v1/tags/${encodeURIComponent(name)}`, {}, signal);
}

export function searchMedia(
  q: string,
  cursor: string | null,
  limit: number,
  signal?: AbortSignal,
): Promise<MediaPage> {
  return getJson('/v1/media', { q, viewer: currentViewer(), limit, cursor }, signal);
}

export function fetchTrending(limit: number, signal?: AbortSignal): Promise<{ tags: TrendingTag[] }> {
  return getJson('/v1/trending', { limit }, signal);
}
