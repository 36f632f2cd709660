import { z } from 'zod';
import { EVENT_FIELD_LIMITS } from './event-field-limits';

// Visible ASCII except the backslash, which browsers read as "/" ("/\host" is off-site).
const URL_CHAR = '[\\x21-\\x5b\\x5d-\\x7e]';
const HOST_CHAR = '[\\x21-\\x22\\x24-\\x2e\\x30-\\x3e\\x40-\\x5b\\x5d-\\x7e]';
const SHAPE = new RegExp(`^(?:https?://${HOST_CHAR}+|/(?!/))${URL_CHAR}*$`);
const ABSOLUTE = /^https?:\/\//;
const REASON = 'must be an absolute http(s) URL or a path starting with a single "/", without spaces';

/** Absolute URLs whose scheme, userinfo, host and port the URL parser accepted. */
const parsedAuthorities = new Map<string, true>();
const AUTHORITY_CACHE_SIZE = 1024;
const AUTHORITY_END = /[/?#]/;

/**
 * Whether `value` is a valid image URL, as the schema decides, without zod.
 * The URL parser can only fail on the authority (host, port) of a URL that
 * passed the shape check, so its verdict is remembered per authority: image
 * URLs share a few CDN hosts.
 */
export function isImageUrl(value: string): boolean {
  if (value.length > EVENT_FIELD_LIMITS.imageUrlMaxChars || !SHAPE.test(value)) return false;
  if (!ABSOLUTE.test(value)) return true;
  const start = value.indexOf('//') + 2;
  const end = value.slice(start).search(AUTHORITY_END);
  const authority = end < 0 ? value : value.slice(0, start + end);
  if (parsedAuthorities.has(authority)) return true;
  if (!parsesAsUrl(value)) return false;
  if (parsedAuthorities.size >= AUTHORITY_CACHE_SIZE) parsedAuthorities.clear();
  parsedAuthorities.set(authority, true);
  return true;
}

function parsesAsUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the photo is served from: an absolute http(s) URL, or a root-relative
 * path for media the demo serves itself. "//host" is refused because it is
 * an off-site URL in disguise.
 */
export const imageUrlSchema = z
  .string()
  .max(
    EVENT_FIELD_LIMITS.imageUrlMaxChars,
    `must be at most ${EVENT_FIELD_LIMITS.imageUrlMaxChars} characters`,
  )
  .regex(SHAPE, REASON)
  // The shape check cannot tell a valid host or port; the URL parser can.
  .refine((value) => !ABSOLUTE.test(value) || !SHAPE.test(value) || parsesAsUrl(value), REASON)
  .describe('Absolute http(s) URL, or a root-relative path such as /media/1.svg.');
