import { type BackoffOptions, backoffMs, sleep } from '../backoff.js';
import { ClientError, throwIfAborted } from '../client-error.js';

export interface RetryOptions {
  retries: number;
  backoff: BackoffOptions;
  signal?: AbortSignal;
  /** Called before each retry, e.g. to refresh metadata after NOT_LEADER_OR_FOLLOWER. */
  onRetry?(err: ClientError, attempt: number): Promise<void> | void;
}

function isRetriable(err: unknown): err is ClientError {
  return err instanceof ClientError && err.retriable;
}

/** Runs `fn` until it succeeds, fails with a non-retriable error, or runs out of retries. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetriable(err) || attempt >= options.retries) throw err;
      await sleep(backoffMs(attempt, options.backoff), options.signal);
      await options.onRetry?.(err, attempt);
    }
  }
}
