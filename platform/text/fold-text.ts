/**
 * Folds text for case- and accent-insensitive matching: compatibility
 * decomposition, combining marks dropped, lower-cased without a locale, and
 * whitespace collapsed. Both sides of every typeahead match use it, and the
 * Elasticsearch adapter indexes folded fields because the test distribution
 * has no asciifolding filter.
 */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim();
}

/** The folded whole text and each folded word in it (split on whitespace, `_`, `.` and `-`), deduplicated. */
export function foldedPrefixKeys(text: string): string[] {
  const whole = foldText(text);
  if (whole === '') return [];
  const keys = new Set([whole]);
  for (const word of whole.split(/[\s_.-]+/u)) if (word !== '') keys.add(word);
  return [...keys];
}
