import { prefixEnd } from './etcd-kv.js';

const OFFSET_DIGITS = 20;

/**
 * The etcd key holding the cluster id: `<prefix>/cluster-id`. The id is not a metadata record (in
 * Kafka it lives in each node's meta.properties): the first broker of a cluster creates this key
 * and every later one adopts it.
 */
export function clusterIdKey(prefix: string): Buffer {
  return Buffer.from(`${prefix.replace(/\/+$/, '')}/cluster-id`);
}

/**
 * The etcd keys of one cluster's metadata, all under its prefix. Offsets in keys are 20-digit
 * decimals, so etcd's byte order of keys is the order of offsets.
 */
export class EtcdMetadataKeys {
  readonly head: Buffer;
  readonly snapshotPointer: Buffer;
  private readonly logPrefix: string;
  private readonly snapshotsPrefix: string;

  constructor(prefix: string) {
    const root = `${prefix.replace(/\/+$/, '')}/metadata`;
    this.head = Buffer.from(`${root}/head`);
    this.snapshotPointer = Buffer.from(`${root}/snapshot`);
    this.logPrefix = `${root}/log/`;
    this.snapshotsPrefix = `${root}/snapshots/`;
  }

  batch(baseOffset: bigint): Buffer {
    return Buffer.from(this.logPrefix + digits(baseOffset));
  }

  /** The range of batch keys from `offset` on. */
  batchesFrom(offset: bigint): { start: Buffer; end: Buffer } {
    return { start: this.batch(offset), end: prefixEnd(Buffer.from(this.logPrefix)) };
  }

  baseOffsetOf(batchKey: Buffer): bigint {
    return BigInt(batchKey.subarray(this.logPrefix.length).toString('latin1'));
  }

  snapshotChunk(lastOffset: bigint, chunk: number): Buffer {
    return Buffer.from(`${this.snapshotsPrefix}${digits(lastOffset)}/${String(chunk).padStart(6, '0')}`);
  }

  snapshotChunks(lastOffset: bigint): { start: Buffer; end: Buffer } {
    const prefix = Buffer.from(`${this.snapshotsPrefix}${digits(lastOffset)}/`);
    return { start: prefix, end: prefixEnd(prefix) };
  }
}

function digits(offset: bigint): string {
  return offset.toString().padStart(OFFSET_DIGITS, '0');
}
