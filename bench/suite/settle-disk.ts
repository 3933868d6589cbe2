import { execFileSync } from 'node:child_process';

/**
 * Writes back every dirty page (`sync`) so that a measurement does not pay for the writeback of
 * the gigabytes written before it: once dirty pages pass the kernel's limit, it throttles whoever
 * writes next, and the flusher threads take CPU from the two cores the processes share.
 */
export function settleDisk(): void {
  try {
    execFileSync('sync', { stdio: 'ignore' });
  } catch {
    // No `sync` command: measure as the machine is.
  }
}
