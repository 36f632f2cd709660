/**
 * External ids are unsigned 64-bit integers carried as canonical decimal
 * strings (no sign, no leading zeros). We keep them as two uint32 halves so
 * that hot paths avoid BigInt.
 */
const CANONICAL = /^(0|[1-9][0-9]{0,19})$/;
const TWO_32 = 4294967296;
const MAX_U64 = 18446744073709551615n;

export interface SplitId {
  hi: number;
  lo: number;
}

export function isExternalId(value: string): boolean {
  if (!CANONICAL.test(value)) return false;
  return value.length < 20 || BigInt(value) <= MAX_U64;
}

/** Splits a canonical id; returns undefined for anything that is not one. */
export function splitExternalId(value: string): SplitId | undefined {
  if (!CANONICAL.test(value)) return undefined;
  if (value.length <= 15) {
    // Exact in a double: 10^15 < 2^53.
    const n = Number(value);
    return { hi: Math.floor(n / TWO_32), lo: n % TWO_32 };
  }
  const big = BigInt(value);
  if (big > MAX_U64) return undefined;
  return { hi: Number(big >> 32n), lo: Number(big & 0xffffffffn) };
}

export function joinExternalId(hi: number, lo: number): string {
  if (hi < 0x200000) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}
