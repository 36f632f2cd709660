/**
 * Field limits of the upload events, in one place so that producers can
 * pre-check input and the README and JSON Schema agree with the validator.
 * Text limits count Unicode code points, as JSON Schema's maxLength does.
 */
export const EVENT_FIELD_LIMITS = {
  eventIdMaxChars: 128,
  /** Instagram's caption limit. */
  captionMaxChars: 2200,
  usernameMaxChars: 30,
  fullNameMaxChars: 64,
  locationNameMaxChars: 128,
  imageUrlMaxChars: 2048,
  /** Largest encoded event decodeEvent accepts; events within the limits above always fit. */
  encodedEventMaxBytes: 64 * 1024,
} as const;
