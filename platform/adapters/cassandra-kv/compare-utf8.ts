/**
 * Orders strings by their UTF-8 bytes without encoding them. UTF-16 code
 * units already sort like code points (hence like UTF-8) except that
 * surrogates (U+10000 and up) must sort after U+E000..U+FFFF; shifting them
 * above that range at the first difference fixes it.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

function rank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
