/**
 * Printable ASCII words separated by single spaces: decomposition, mark
 * removal and whitespace collapsing change nothing, so only the case is
 * folded. Most names and tags take this path, which is several times faster.
 */
const PLAIN_ASCII = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/;

/**
 * Folds text for case- and accent-insensitive matching: compatibility
 * decomposition, combining marks dropped, lower-cased without a locale, final
 * sigma folded to σ, and whitespace collapsed. Both sides of every typeahead
 * match use it, and the Elasticsearch adapter indexes folded fields because
 * the test distribution has no asciifolding filter.
 *
 * What that means for a few scripts: Japanese voiced kana lose their dakuten
 * (ガ folds to カ, half-width ｶﾞ too); Hangul syllables decompose into jamo, so
 * "기" (and the compatibility jamo "ㄱ") is a prefix of "김"; Arabic harakat
 * are marks and disappear; ß stays ß (no full case folding: "strasse" does not
 * find "Straße"), and letters without a decomposition such as ø, ł, æ stay.
 *
 * The final-sigma step keeps typeahead monotone: JS lower-cases a Σ at the end
 * of a word to ς, so the query "ΠΑΣ" would fold to "πας", which is not a
 * prefix of "παστα".
 */
export function foldText(text: string): string {
  if (PLAIN_ASCII.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ς/gu, 'σ')
    .replace(/\s+/gu, ' ')
    .trim();
}

const SPACE = 0x20;
const UNDERSCORE = 0x5f;
const DOT = 0x2e;
const HYPHEN = 0x2d;

/**
 * The folded whole text and each folded word in it (split on whitespace, `_`,
 * `.` and `-`), deduplicated, the whole text first. Folded text has no
 * whitespace but single spaces, so the split is a scan for four characters.
 */
export function foldedPrefixKeys(text: string): string[] {
  const whole = foldText(text);
  if (whole === '') return [];
  const keys = [whole];
  let start = 0;
  for (let i = 0; i <= whole.length; i++) {
    const c = i < whole.length ? whole.charCodeAt(i) : SPACE;
    if (c !== SPACE && c !== UNDERSCORE && c !== DOT && c !== HYPHEN) continue;
    if (i > start) {
      const word = whole.slice(start, i);
      if (!keys.includes(word)) keys.push(word);
    }
    start = i + 1;
  }
  return keys;
}
