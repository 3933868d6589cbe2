import type { LatencySummary } from './latency.js';

/**
 * How the suite talks to its load-generator processes: the spec goes in as one JSON argument, the
 * worker prints `READY` once connected, reads `stop` on stdin (consumers) and prints one
 * `RESULT {json}` line before it exits.
 */
export interface WorkerResult {
  bytes: number;
  messages: number;
  seconds: number;
  errors: number;
  /** The worker's own CPU time over its wall time, in percent of one core. */
  cpuPercent?: number;
  latency?: LatencySummary;
  note?: string;
}

export const READY_LINE = 'READY';
export const RESULT_PREFIX = 'RESULT ';
