const UNITS: ReadonlyArray<readonly [number, string]> = [
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
];

/** The scaled value rounded half up: one decimal below 100 (e.g. 12.3), whole above (e.g. 123). */
function scaled(n: number, unit: number): number {
  const value = n / unit;
  return value < 100 ? Math.round((n * 10) / unit) / 10 : Math.round(value);
}

/**
 * A count for display: 999, 1K, 1.2K, 12.3K, 123K, 1.2M, 1B.
 *
 * Rounds half up to one decimal below 100 of a unit and to a whole number above,
 * and a value that rounds up to 1000 of a unit moves to the next one
 * (999_950 is "1M", never "1000K"). Billions are the largest unit (1.5e12 is
 * "1500B"). Fractions are dropped first (counts are whole), negatives keep
 * their sign, and anything that is not a finite number shows as "0".
 */
export function formatCount(count: number): string {
  if (!Number.isFinite(count)) return '0';
  const n = Math.trunc(Math.abs(count));
  const sign = count < 0 && n > 0 ? '-' : '';
  if (n < 1000) return sign + String(n);
  for (let i = 0; i < UNITS.length; i++) {
    const [unit, suffix] = UNITS[i]!;
    if (n < unit) continue;
    const value = scaled(n, unit);
    // 999.95K rounds to 1000K: show the next unit up instead.
    if (value >= 1000 && i > 0) {
      const [bigger, biggerSuffix] = UNITS[i - 1]!;
      return sign + String(scaled(n, bigger)) + biggerSuffix;
    }
    return sign + String(value) + suffix;
  }
  return sign + String(n);
}
