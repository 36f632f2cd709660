/** `<windowStart, zero-padded>:<tag>` → posts tagged in that window; sorted by window, then tag. */
export const TREND_WINDOWS = 'trend_windows';
/** tag → sum of its counts over the windows `trend_windows` still holds, so ranking never scans history. */
export const TREND_TOTALS = 'trend_totals';
/** `<groupId>:<POST_HASHTAG partition>:<source partition>` → highest seq applied. */
export const TREND_WATERMARKS = 'trend_watermarks';

/** Digits of a padded window start: ms since the epoch fit in 16 until the year 318857. */
const WINDOW_DIGITS = 16;

/** Prefix of every key of one window, so a window is one prefix scan. */
export function windowPrefix(windowStart: number): string {
  return `${String(windowStart).padStart(WINDOW_DIGITS, '0')}:`;
}

export function windowKey(windowStart: number, tag: string): string {
  return windowPrefix(windowStart) + tag;
}

export function parseWindowKey(key: string): { windowStart: number; tag: string } {
  return { windowStart: Number(key.slice(0, WINDOW_DIGITS)), tag: key.slice(WINDOW_DIGITS + 1) };
}
