import fc from 'fast-check';
import { formatCount } from '../query/web/client/format-count';

const UNIT: Record<string, number> = { '': 1, K: 1e3, M: 1e6, B: 1e9 };

/** Reads a formatted count back as a number. */
function parse(text: string): number {
  const m = /^(\d+(?:\.\d)?)([KMB]?)$/.exec(text);
  if (!m) throw new Error(`not a formatted count: ${text}`);
  return Number(m[1]) * UNIT[m[2]!]!;
}

/**
 * Hand-written expectations. Rounding: half up, to one decimal below 100 of a
 * unit and to whole units from 100 up; a value that rounds to 1000 of a unit
 * moves to the next unit (999_950 is "1M", never "1000K").
 */
const cases: [number, string][] = [
  [0, '0'],
  [1, '1'],
  [7, '7'],
  [999, '999'],
  [1000, '1K'],
  [1049, '1K'],
  [1050, '1.1K'],
  [1234, '1.2K'],
  [1250, '1.3K'],
  [3400, '3.4K'],
  [9999, '10K'],
  [12_345, '12.3K'],
  [99_949, '99.9K'],
  [99_950, '100K'],
  [123_456, '123K'],
  [999_499, '999K'],
  [999_500, '1M'],
  [999_950, '1M'],
  [999_999, '1M'],
  [1_000_000, '1M'],
  [1_200_000, '1.2M'],
  [1_234_567, '1.2M'],
  [1_250_000, '1.3M'],
  [45_600_000, '45.6M'],
  [999_999_999, '1B'],
  [1e9, '1B'],
  [2_500_000_000, '2.5B'],
  [1.5e12, '1500B'],
];

describe('formatCount', () => {
  it.each(cases)('%p → %p', (n, expected) => {
    expect(formatCount(n)).toBe(expected);
  });

  it.each([
    [1234.9, '1.2K'],
    [999.9, '999'],
    [-1234, '-1.2K'],
    [-5, '-5'],
    [-0.4, '0'],
    [Number.NaN, '0'],
    [Number.POSITIVE_INFINITY, '0'],
  ])('odd input %p → %p (fractions dropped, sign kept, non-numbers are 0)', (n, expected) => {
    expect(formatCount(n)).toBe(expected);
  });

  it('reads back within 5% of the count, keeps the short shape, and never goes down as counts grow', () => {
    const count = fc.integer({ min: 0, max: 999_999_999_999 });
    fc.assert(
      fc.property(count, count, (a, b) => {
        const text = formatCount(a);
        // No leading zeros, no ".0", a decimal only below 100 of a unit.
        expect(text).toMatch(/^(0|[1-9]\d{0,2}|[1-9]\d?(\.[1-9])?[KMB]|[1-9]\d\d[KMB]|1000B)$/);
        expect(Math.abs(parse(text) - a)).toBeLessThanOrEqual(a * 0.05);
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(parse(formatCount(lo))).toBeLessThanOrEqual(parse(formatCount(hi)));
      }),
      { numRuns: 2000 },
    );
  });
});
