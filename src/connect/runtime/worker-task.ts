import type { Logger } from '../../common/logger.js';
import type { ConnectorTaskId, StateListener, TargetState } from './task-status.js';

/**
 * The loop every worker task runs (Kafka's WorkerTask): start the task, iterate until stopped,
 * wait while paused, report RUNNING, PAUSED and FAILED through the listener. A failure stops the
 * loop and leaves the task FAILED until it is restarted.
 */
export abstract class WorkerTask {
  private stopping = false;
  private paused = false;
  private failed = false;
  private readonly resumeWaiters: (() => void)[] = [];
  private done: Promise<void> = Promise.resolve();
  protected readonly logger: Logger;

  constructor(
    readonly id: ConnectorTaskId,
    logger: Logger,
    private readonly onState: StateListener,
  ) {
    this.logger = logger.child({ connector: id.connector, task: id.task });
  }

  protected abstract initializeAndStart(): Promise<void>;
  /** One turn of the loop (a poll and what follows it). */
  protected abstract iterate(): Promise<void>;
  /** Stops the task and releases its clients; runs once, after the loop ends or fails. */
  protected abstract onStop(): Promise<void>;
  /** Sink tasks keep polling while paused (their partitions paused) to stay in their group. */
  protected iterateWhilePaused(): boolean {
    return false;
  }
  protected onTargetState(_target: TargetState): void {}

  protected isStopping(): boolean {
    return this.stopping;
  }

  protected isFailed(): boolean {
    return this.failed;
  }

  protected isPaused(): boolean {
    return this.paused;
  }

  start(target: TargetState): void {
    this.paused = target === 'PAUSED';
    this.done = this.run();
  }

  transitionTo(target: TargetState): void {
    const paused = target === 'PAUSED';
    if (paused === this.paused) return;
    this.paused = paused;
    this.onTargetState(target);
    if (!paused) for (const wake of this.resumeWaiters.splice(0)) wake();
    this.onState(paused ? 'PAUSED' : 'RUNNING', null);
  }

  /** Asks the loop to stop and waits for it, at most `timeoutMs`; false when it did not stop in time. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.stopping = true;
    for (const wake of this.resumeWaiters.splice(0)) wake();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const stopped = await Promise.race([this.done.then(() => true), timedOut]);
    clearTimeout(timer);
    if (!stopped) this.logger.error({ timeoutMs }, 'graceful stop of task failed');
    return stopped;
  }

  private async run(): Promise<void> {
    try {
      await this.initializeAndStart();
      this.onState(this.paused ? 'PAUSED' : 'RUNNING', null);
      while (!this.stopping) {
        if (this.paused && !this.iterateWhilePaused()) {
          await new Promise<void>((resolve) => this.resumeWaiters.push(resolve));
          continue;
        }
        await this.iterate();
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.failed = true;
      this.logger.error(
        { err: error },
        'task threw an uncaught and unrecoverable exception; task is being killed and will not recover until manually restarted',
      );
      this.onState('FAILED', error);
    } finally {
      try {
        await this.onStop();
      } catch (err) {
        this.logger.warn({ err }, 'task failed to stop cleanly');
      }
    }
  }
}
