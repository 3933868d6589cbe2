import { StromError } from '../../../common/strom-error.js';

/** Stable codes for the coordinator's internal failures (Kafka error codes go in responses instead). */
export type GroupCoordinatorErrorCode =
  /**
   * An input hit a bug or a state the records should never produce (a leader that is not a
   * member): the effects of that input are dropped, and the shell must unload and reload the
   * coordinator's partitions from the log before serving them again.
   */
  'COORDINATOR_STATE_INCONSISTENT';

export class GroupCoordinatorError extends StromError {
  declare readonly code: GroupCoordinatorErrorCode;

  constructor(code: GroupCoordinatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
