import { abortError } from './client-error.js';

/** Retry settings shared by every component: exponential growth capped at `retryBackoffMaxMs`. */
export interface BackoffOptions {
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  /** Fraction of the delay drawn at random either side (Kafka uses 0.2, KIP-580). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { retryBackoffMs: 100, retryBackoffMaxMs: 1000, jitter: 0.2 };

/**
 * The delay before retry number `attempt` (0-based): base · 2^attempt, capped, then spread by
 * ±jitter so that many clients failing together do not retry in lockstep (KIP-580).
 */
export function backoffMs(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  const exp = Math.min(options.retryBackoffMs * 2 ** Math.min(attempt, 30), options.retryBackoffMaxMs);
  const spread = 1 - options.jitter + random() * 2 * options.jitter;
  return Math.max(0, Math.round(exp * spread));
}

/** Resolves after `ms`, or rejects with ABORTED as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortError(signal));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
