import { ValidationError } from '../../platform/errors';

/** The ValidationError `fn` throws; fails the test if it throws nothing or something else. */
export function thrown(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}
