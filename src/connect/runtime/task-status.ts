/** The states Kafka Connect reports for connectors and tasks (AbstractStatus.State). */
export type ConnectState =
  | 'UNASSIGNED'
  | 'RUNNING'
  | 'PAUSED'
  | 'FAILED'
  | 'STOPPED'
  | 'RESTARTING'
  | 'DESTROYED';

/** What a connector should be doing (Kafka's TargetState). */
export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

export interface ConnectorTaskId {
  readonly connector: string;
  readonly task: number;
}

/** Called when a task changes state; `error` is set for FAILED. */
export type StateListener = (state: ConnectState, error: Error | null) => void;

/** Kafka's trace of a failed connector or task: the error's stack, its causes after it. */
export function traceOf(error: Error | null): string | null {
  if (error === null) return null;
  let trace = error.stack ?? `${error.name}: ${error.message}`;
  let cause = error.cause;
  while (cause instanceof Error) {
    trace += `\nCaused by: ${cause.stack ?? cause.message}`;
    cause = cause.cause;
  }
  return trace;
}
