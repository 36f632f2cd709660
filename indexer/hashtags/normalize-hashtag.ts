import { MAX_TAG_LENGTH, TAG_BODY, codePointLength } from './hashtag-syntax';

export { MAX_TAG_LENGTH } from './hashtag-syntax';

const BODY = new RegExp(`^(?:${TAG_BODY})$`, 'u');
const HAS_LETTER_OR_MARK = /[\p{L}\p{M}]/u;
const ASCII_BODY = /^[A-Za-z0-9_]+$/;
const ASCII_LETTER = /[a-z]/;

/**
 * The index key of a hashtag name, with or without one leading `#`/`＃`:
 * NFC, then a locale-independent lower-case (never toLocaleLowerCase, so a
 * Turkish host gives the same keys as any other). Returns '' for anything that
 * is not a valid tag body. The hashtag page and the indexer both go through
 * here, so a name matches whatever spelling the post used.
 */
export function normalizeHashtag(raw: string): string {
  const first = raw.charCodeAt(0);
  const body = first === 0x23 || first === 0xff03 ? raw.slice(1) : raw;
  return keyOfBody(body);
}

/** True when `key` is exactly what normalizeHashtag produces for some valid tag. */
export function isValidHashtagKey(key: string): boolean {
  return key !== '' && keyOfBody(key) === key;
}

/** Key of a tag body without its `#`, or '' when the body is not a valid tag. */
export function keyOfBody(body: string): string {
  if (ASCII_BODY.test(body)) {
    const lower = body.toLowerCase();
    return ASCII_LETTER.test(lower) && lower.length <= MAX_TAG_LENGTH ? lower : '';
  }
  // Lower-casing can decompose (İ → i + U+0307), so normalise on both sides.
  const key = body.normalize('NFC').toLowerCase().normalize('NFC');
  if (!BODY.test(key) || !HAS_LETTER_OR_MARK.test(key)) return '';
  // The key, not the display form, is measured: only İ grows when lower-cased,
  // and measuring the key keeps the index and the query side in agreement.
  return codePointLength(key) <= MAX_TAG_LENGTH ? key : '';
}
