import { StromError } from '../../common/strom-error.js';

/**
 * The part of etcd's v3 KV, watch and lease API that Strom uses, as one narrow interface: the
 * metadata log and the tests' in-memory etcd both speak it. Keys and values are bytes; revisions
 * are etcd's store revisions (bigint: etcd counts them in int64).
 */
export interface EtcdKv {
  range(request: RangeRequest): Promise<RangeResponse>;
  txn(request: TxnRequest): Promise<TxnResponse>;
  /**
   * Watches `[key, rangeEnd)` from `startRevision`: `onEvents` is called with the revision of
   * each batch of changes, `onError` once if the watch ends by itself (a compacted revision, a
   * lost connection); a watch never restarts by itself.
   */
  watch(
    request: WatchRequest,
    onEvents: (revision: bigint) => void,
    onError: (err: EtcdError) => void,
  ): EtcdWatch;
  /** Grants a lease of `ttlSeconds` (etcd raises it to its minimum, 2 s by default). */
  leaseGrant(ttlSeconds: number): Promise<{ id: bigint; ttlSeconds: number }>;
  /** Renews a lease; resolves to its remaining TTL in seconds, 0 when it has expired (its keys are gone). */
  leaseKeepAlive(id: bigint): Promise<number>;
  /** Ends a lease now, deleting its keys; a lease already gone is not an error. */
  leaseRevoke(id: bigint): Promise<void>;
  close(): Promise<void>;
}

export interface EtcdWatch {
  cancel(): void;
}

export interface KeyValue {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly createRevision: bigint;
  readonly modRevision: bigint;
  readonly version: bigint;
}

export interface RangeRequest {
  readonly key: Buffer;
  /** End of the range, exclusive; absent for the single key `key`. */
  readonly rangeEnd?: Buffer;
  /** Read as of this revision; absent for the newest. */
  readonly revision?: bigint;
  readonly limit?: number;
}

export interface RangeResponse {
  /** The store's revision when the range was served (the header's, not the read revision). */
  readonly revision: bigint;
  readonly kvs: KeyValue[];
  /** True when `limit` cut the answer short. */
  readonly more: boolean;
}

/** One comparison of an etcd transaction; a missing key has version, mod and create revision 0. */
export type Compare =
  | {
      readonly key: Buffer;
      readonly target: 'MOD' | 'VERSION' | 'CREATE';
      readonly result: CompareResult;
      readonly revision: bigint;
    }
  | {
      readonly key: Buffer;
      readonly target: 'VALUE';
      readonly result: CompareResult;
      readonly value: Buffer;
    };

export type CompareResult = 'EQUAL' | 'NOT_EQUAL' | 'GREATER' | 'LESS';

export type TxnOp =
  | { readonly put: { readonly key: Buffer; readonly value: Buffer; readonly lease?: bigint } }
  | { readonly deleteRange: { readonly key: Buffer; readonly rangeEnd?: Buffer } };

export interface TxnRequest {
  readonly compare: readonly Compare[];
  readonly success: readonly TxnOp[];
  readonly failure?: readonly TxnOp[];
}

export interface TxnResponse {
  readonly succeeded: boolean;
  readonly revision: bigint;
}

export interface WatchRequest {
  readonly key: Buffer;
  readonly rangeEnd?: Buffer;
  readonly startRevision: bigint;
}

/**
 * etcd could not be reached or refused a request. `grpcCode` is etcd's gRPC status (11 OUT_OF_RANGE
 * for a compacted revision, 3 INVALID_ARGUMENT for a request too large, ...), absent when the
 * request did not get an answer at all.
 */
export class EtcdError extends StromError {
  constructor(
    message: string,
    readonly grpcCode?: number,
    options?: { cause?: unknown },
  ) {
    super('ETCD_UNAVAILABLE', message, options);
  }

  /** etcd answered that the revision asked for is older than its last compaction. */
  get compacted(): boolean {
    return this.grpcCode === 11;
  }
}

/** The end of the range of every key starting with `prefix` (etcd's "prefix end"). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  // Every byte is 0xff: the range runs to the end of the key space, which etcd spells "\0".
  return Buffer.from([0]);
}
