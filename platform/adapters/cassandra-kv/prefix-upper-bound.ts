const MAX_CODE_POINT = 0x10ffff;

/**
 * The smallest string above every string that starts with `prefix`, in UTF-8
 * byte order: the prefix with its last code point incremented, after dropping
 * trailing U+10FFFF (it has no successor). Undefined when there is none (empty
 * prefix, or only U+10FFFF). `prefix` must be well-formed; so is the result,
 * as CQL text must be.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  let end = prefix.length;
  while (end > 0) {
    let start = end - 1;
    const unit = prefix.charCodeAt(start);
    if (unit >= 0xdc00 && unit <= 0xdfff && start > 0) start--;
    const point = prefix.codePointAt(start)!;
    if (point !== MAX_CODE_POINT) {
      // Surrogate code points are not characters: U+D7FF is followed by U+E000.
      return prefix.slice(0, start) + String.fromCodePoint(point === 0xd7ff ? 0xe000 : point + 1);
    }
    end = start;
  }
  return undefined;
}
