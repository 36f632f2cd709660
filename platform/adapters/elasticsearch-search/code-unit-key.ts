const HIGH_UNITS = /[\ud800-\uffff]/g;

/**
 * Re-encodes text so that Elasticsearch, which compares keyword terms as
 * UTF-8 bytes, orders and prefix-matches them like JavaScript compares
 * UTF-16 code units. The two differ only from U+D800 up: a supplementary
 * character sorts after U+FFFF in bytes but before it in code units, half a
 * surrogate pair is a prefix in JS but not in UTF-8, and lone surrogates all
 * become U+FFFD on the wire. Each code unit from U+D800 is therefore mapped to
 * its own supplementary code point U+10000 + (unit − 0xD800), which keeps the
 * order, the prefixes and distinct strings distinct. Text below U+D800 (ASCII,
 * Latin, Greek, Cyrillic, CJK, Hangul…) is returned unchanged.
 */
export function codeUnitKey(text: string): string {
  HIGH_UNITS.lastIndex = 0;
  if (!HIGH_UNITS.test(text)) return text;
  return text.replace(HIGH_UNITS, (unit) => String.fromCodePoint(0x10000 + unit.charCodeAt(0) - 0xd800));
}
