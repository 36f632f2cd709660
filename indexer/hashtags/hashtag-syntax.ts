/**
 * The character grammar shared by extraction and key validation, as regex
 * sources (compile with the `u` flag), so both sides agree on what a tag is.
 */

/** Longest tag body we index or query, in code points of its key. */
export const MAX_TAG_LENGTH = 100;

// Emoji end a tag even where Unicode files them as letters, marks or digits:
// ℹ is Ll, the presentation selectors and the keycap are marks, and the digit
// of a keycap emoji such as 1️⃣ is a number.
const NOT_EMOJI = String.raw`(?![\uFE0E\uFE0F\u20E3\p{Extended_Pictographic}]|[0-9][\uFE0E\uFE0F]?\u20E3)`;

/** One character of a tag body: a letter, mark, number or `_` that is not part of an emoji. */
export const TAG_CHAR = String.raw`(?:${NOT_EMOJI}[\p{L}\p{M}\p{N}_])`;

/**
 * A whole tag body. ZWNJ/ZWJ are needed inside Persian and Indic words, but
 * only between two tag characters: leading, trailing or doubled joiners would
 * make invisible variants of one key.
 */
export const TAG_BODY = String.raw`${TAG_CHAR}+(?:[\u200C\u200D]${TAG_CHAR}+)*`;

/**
 * What may not stand right before the `#`: anything that makes it part of a
 * word (`foo#bar`, `1#x`, `_#x`) or an HTML entity (`&#39;`). Emoji, including
 * their selectors, may: `✌️#peace` is a tag.
 */
export const WORD_BEFORE_HASH = String.raw`(?:${NOT_EMOJI}[\p{L}\p{M}\p{N}_&])`;

/** Code points in a string: surrogate pairs count once. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) n--;
    }
  }
  return n;
}
