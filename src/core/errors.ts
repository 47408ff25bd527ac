/**
 * An error the user can fix: bad input or a missing piece of the environment.
 * The CLI prints `message` and `hint` (never a stack trace) and exits with code 2.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
