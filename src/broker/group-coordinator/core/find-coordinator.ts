import { CoordinatorType } from '../../../protocol/coordinator-type.js';
import { ErrorCode } from '../../../protocol/error-codes.js';

/** Java's String.hashCode: h = 31*h + c over UTF-16 code units, in 32-bit two's complement. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: Math.abs, except that Integer.MIN_VALUE maps to 0 rather than to itself. */
export function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/**
 * The __consumer_offsets partition (or __transaction_state partition) that owns a key:
 * `Utils.abs(key.hashCode()) % partitionCount`, as Kafka's GroupCoordinator.partitionFor.
 */
export function coordinatorPartitionFor(key: string, partitionCount: number): number {
  return kafkaAbs(javaStringHashCode(key)) % partitionCount;
}

export interface FindCoordinatorRequest {
  /** v0-3. */
  readonly key: string;
  /** v1+; 0 (group) before. */
  readonly keyType: number;
  /** v4+. */
  readonly coordinatorKeys: readonly string[];
}

export interface Coordinator {
  readonly key: string;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/**
 * Both shapes of the answer: v0-3 read the single coordinator from the top-level fields, v4+
 * read `coordinators`. The handler writes whichever its version has.
 */
export interface FindCoordinatorResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly coordinators: readonly Coordinator[];
}

/** What FindCoordinator needs to know about the cluster. */
export interface CoordinatorLookup {
  /** offsets.topic.num.partitions for groups, transaction.state.log.num.partitions for transactions. */
  partitionCount(keyType: number): number;
  /** The leader of that partition of the internal topic, or null when it has none (or does not exist yet). */
  leaderOf(keyType: number, partition: number): { nodeId: number; host: string; port: number } | null;
}

/** Versions 4+ batch keys (KIP-699); earlier versions ask for one key. */
export function findCoordinator(
  apiVersion: number,
  request: FindCoordinatorRequest,
  lookup: CoordinatorLookup,
): FindCoordinatorResponse {
  const keys = apiVersion >= 4 ? request.coordinatorKeys : [request.key];
  const coordinators = keys.map((key) => findOne(key, request.keyType, apiVersion, lookup));
  const first = coordinators[0];
  if (apiVersion >= 4 || !first) {
    return { errorCode: 0, errorMessage: null, nodeId: -1, host: '', port: -1, coordinators };
  }
  return { ...first, coordinators: [] };
}

function findOne(key: string, keyType: number, apiVersion: number, lookup: CoordinatorLookup): Coordinator {
  const fail = (errorCode: number, errorMessage: string | null): Coordinator => ({
    key,
    nodeId: -1,
    host: '',
    port: -1,
    errorCode,
    errorMessage,
  });
  // Share groups (key type 2, version 6+) have no coordinator in Strom yet: Kafka answers
  // INVALID_REQUEST when it runs without a share coordinator, and for unknown key types.
  if (keyType !== CoordinatorType.GROUP && keyType !== CoordinatorType.TRANSACTION) {
    return fail(
      ErrorCode.INVALID_REQUEST,
      `Unknown coordinator key type ${keyType} for version ${apiVersion}`,
    );
  }
  const partition = coordinatorPartitionFor(key, lookup.partitionCount(keyType));
  const leader = lookup.leaderOf(keyType, partition);
  if (!leader) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, null);
  return {
    key,
    nodeId: leader.nodeId,
    host: leader.host,
    port: leader.port,
    errorCode: 0,
    errorMessage: null,
  };
}
