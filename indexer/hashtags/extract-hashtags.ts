import { ValidationError, type FieldIssue } from '../../platform/errors';
import { MAX_TAG_LENGTH, TAG_BODY, WORD_BEFORE_HASH, codePointLength } from './hashtag-syntax';
import { keyOfBody } from './normalize-hashtag';

export { MAX_TAG_LENGTH } from './hashtag-syntax';

/** Instagram's per-post limit; further distinct tags are not indexed. */
export const MAX_TAGS_PER_POST = 30;

export interface ExtractedHashtag {
  /** Index key: NFC, locale-independent lower-case, no `#`. */
  key: string;
  /** First-seen spelling, NFC, no `#`. */
  display: string;
  /** UTF-16 offsets of the whole match, `#` included, in the original text. */
  start: number;
  end: number;
}

export interface ExtractOptions {
  /** Distinct tags kept per post; default MAX_TAGS_PER_POST. */
  maxTags?: number;
  /** Longest tag kept, in code points of its key; default and ceiling MAX_TAG_LENGTH. */
  maxLength?: number;
}

// The first branch is a fast path for plain ASCII tags, which need no
// normalisation; it gives way to the general branch when the run goes on.
const HASHTAG = new RegExp(
  String.raw`(?<!${WORD_BEFORE_HASH})[#\uFF03](?:([A-Za-z0-9_]+)(?![\p{L}\p{M}\p{N}_\u200C\u200D])|(${TAG_BODY}))`,
  'gu',
);

interface NormalizedBody {
  key: string;
  display: string;
  length: number;
}

// Normalising a non-ASCII body costs about half a microsecond, and tag use is
// heavily skewed, so a bounded memo keeps the hot path to one map lookup.
// Dropped wholesale when full: simpler than LRU and the hot tags come back at once.
const MEMO_LIMIT = 10_000;
// Longer bodies are rare and mostly over the length limit; they would only bloat the memo.
const MEMO_MAX_BODY = 256;
const memo = new Map<string, NormalizedBody | null>();

// Tested on the ASCII-printable token before a `#`. Quantifiers are bounded
// (DNS labels, ports) so a match spans at most URL_MATCH_SPAN characters.
const URL_LIKE = /:\/\/|\bwww\.|[a-z0-9-]\.[a-z]{2,63}(?::\d{1,5})?\//gi;
const URL_MATCH_SPAN = 80;

/** What the last URL check learnt, so a token with many `#` is scanned once. */
interface TokenScan {
  /** Position of the last `#` whose token was scanned, or -1. */
  at: number;
  /** Where that token starts. */
  from: number;
  /** Whether the token up to `at` looks like a URL; stays true as it grows. */
  url: boolean;
}

/**
 * The hashtags of a post, distinct by key, in order of first appearance:
 * at most `maxTags`, skipping (not truncating, not counting) any longer than
 * `maxLength`.
 */
export function extractHashtags(text: string, options: ExtractOptions = {}): ExtractedHashtag[] {
  const maxTags = options.maxTags ?? MAX_TAGS_PER_POST;
  const maxLength = options.maxLength ?? MAX_TAG_LENGTH;
  checkOptions(maxTags, maxLength);

  const found: ExtractedHashtag[] = [];
  if (maxTags === 0) return found;
  const seen = new Set<string>();
  const scan: TokenScan = { at: -1, from: 0, url: false };
  // Shared to skip recompiling; lastIndex is left over from the last call.
  const re = HASHTAG;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const start = m.index;
    const end = re.lastIndex;
    if (text.startsWith('://', end) || inUrlToken(text, start, scan)) continue;
    const ascii = m[1];
    let key: string;
    let display: string;
    if (ascii !== undefined) {
      if (ascii.length > maxLength || !hasAsciiLetter(ascii)) continue;
      key = ascii.toLowerCase();
      display = ascii;
    } else {
      const norm = normalizeBody(m[2]!);
      if (norm === null || norm.length > maxLength) continue;
      key = norm.key;
      display = norm.display;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    found.push({ key, display, start, end });
    if (found.length >= maxTags) break;
  }
  return found;
}

function normalizeBody(body: string): NormalizedBody | null {
  let norm = memo.get(body);
  if (norm === undefined) {
    const key = keyOfBody(body);
    norm = key === '' ? null : { key, display: body.normalize('NFC'), length: codePointLength(key) };
    if (body.length <= MEMO_MAX_BODY) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(body, norm);
    }
  }
  return norm;
}

function hasAsciiLetter(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    // Digits sit below 'A' and '_' is the only non-letter above it.
    if (c >= 0x41 && c !== 0x5f) return true;
  }
  return false;
}

/**
 * Whether the `#` at `at` is a URL fragment: right after a `/`, or inside a
 * token that looks like a URL. URLs are ASCII-printable runs, so the look-back
 * stops at the first space or non-ASCII character, or at the previous `#` of
 * the same token, whose answer is reused.
 */
function inUrlToken(text: string, at: number, scan: TokenScan): boolean {
  if (at === 0) return false;
  const prev = text.charCodeAt(at - 1);
  if (prev === 0x2f) return true;
  if (!isUrlChar(prev)) return false;
  let from = at - 1;
  let sameToken = false;
  while (from > 0 && isUrlChar(text.charCodeAt(from - 1))) {
    if (from - 1 === scan.at) {
      sameToken = true;
      break;
    }
    from--;
  }
  let url: boolean;
  if (sameToken) {
    from = scan.from;
    // Only a match reaching past the previous `#` can be new; one char of
    // context before the slice keeps `\b` honest.
    const s = Math.max(from, scan.at - URL_MATCH_SPAN);
    const head = s > from ? 1 : 0;
    URL_LIKE.lastIndex = head;
    url = scan.url || URL_LIKE.test(text.slice(s - head, at));
  } else {
    URL_LIKE.lastIndex = 0;
    url = URL_LIKE.test(text.slice(from, at));
  }
  scan.at = at;
  scan.from = from;
  scan.url = url;
  return url;
}

function isUrlChar(c: number): boolean {
  return c > 0x20 && c < 0x7f;
}

function checkOptions(maxTags: number, maxLength: number): void {
  const issues: FieldIssue[] = [];
  if (!Number.isInteger(maxTags) || maxTags < 0) {
    issues.push({ field: 'maxTags', reason: `must be a non-negative integer, got ${maxTags}` });
  }
  // Past MAX_TAG_LENGTH the query side could never look a tag up.
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_TAG_LENGTH) {
    issues.push({
      field: 'maxLength',
      reason: `must be an integer from 1 to ${MAX_TAG_LENGTH}, got ${maxLength}`,
    });
  }
  if (issues.length > 0) throw new ValidationError('invalid hashtag extraction options', issues);
}
