import { AppError } from './app-error';

/** The thing asked for does not exist (HTTP 404). */
export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${JSON.stringify(id)} not found`, { details: { [what]: id } });
  }
}
