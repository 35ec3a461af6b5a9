/**
 * A part of the local stack (Postgres, the Temporal dev server, a worker) could not start.
 * The message is one line: the part, the cause, and what to do about it.
 */
export class LocalPartError extends Error {
  constructor(
    readonly part: string,
    cause: string,
    fix: string,
  ) {
    super(`${part} could not start: ${cause}; ${fix}`);
    this.name = 'LocalPartError';
  }
}
