/**
 * The one base class for Strom's internal errors. Each subclass has a stable string `code`
 * that operators and tests can match on; `cause` carries the underlying error when there is one.
 */
export class StromError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
