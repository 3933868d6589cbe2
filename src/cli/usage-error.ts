import { StromError } from '../common/strom-error.js';

/** A command line that cannot be run as written: the command exits with code 2. */
export class UsageError extends StromError {
  constructor(message: string) {
    super('CLI_USAGE', message);
  }
}
