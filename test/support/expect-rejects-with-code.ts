import { AppError } from '../../platform/errors';

/** The AppError `promise` rejects with; fails the test unless it rejects with one carrying `code`. */
export async function expectRejectsWithCode(promise: Promise<unknown>, code: string): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}
