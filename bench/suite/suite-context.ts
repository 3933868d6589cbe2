import type { Recorder } from './suite-results.js';

/** What every section of the suite gets: the mode, where to write, and where to record figures. */
export interface SuiteContext {
  quick: boolean;
  /** Seconds per timed workload. */
  seconds: number;
  /** Bytes of the backlog a consumer catches up on. */
  backlogBytes: number;
  /** Partitions of the many-partitions workload. */
  manyPartitions: number;
  /** Producer processes to start with; a saturated one is retried with twice as many. */
  producers: number;
  rec: Recorder;
  /** A scratch directory on the disk under test, removed at the end. */
  dataDir: string;
  progress(message: string): void;
}

/** The ceilings measured first, that Strom's figures are compared with. */
export interface Ceilings {
  diskBufferedMBs: number;
  diskFsyncMBs: number;
  tcpEchoMBs: number;
}
