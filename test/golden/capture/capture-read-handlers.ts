import { ErrorCode } from '../../../src/protocol/error-codes.js';
import type {
  FetchRequest,
  FetchResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
  MetadataRequest,
  MetadataResponse,
} from '../../../src/protocol/generated/index.js';
import type { MessageInput } from '../../../src/protocol/message-codec.js';
import { type CaptureState, type CaptureTopic, logEndOffset, readRecords } from './capture-state.js';

/** ListOffsets special timestamps (ListOffsetsRequest.json). */
const LATEST_TIMESTAMP = -1n;

/** One broker (the capture broker itself) leading every partition of every topic it knows. */
export function metadataResponse(
  state: CaptureState,
  req: MetadataRequest,
  version: number,
): MessageInput<MetadataResponse> {
  // Null topics means all topics; so does an empty list in v0, which had no null.
  const requested = req.topics === null || (version === 0 && req.topics.length === 0) ? null : req.topics;
  const topics: CaptureTopic[] =
    requested === null
      ? [...state.topics.values()]
      : requested
          .map((t) => (t.name !== null ? state.topic(t.name) : state.topicById(t.topicId)))
          .filter((t): t is CaptureTopic => t !== undefined);
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: state.nodeId, host: state.host, port: state.port, rack: null }],
    clusterId: state.clusterId,
    controllerId: state.nodeId,
    topics: topics.map((t) => ({
      errorCode: 0,
      name: t.name,
      topicId: version >= 10 ? t.topicId : undefined,
      isInternal: false,
      partitions: t.partitions.map((_log, i) => ({
        errorCode: 0,
        partitionIndex: i,
        leaderId: state.nodeId,
        leaderEpoch: 0,
        replicaNodes: [state.nodeId],
        isrNodes: [state.nodeId],
        offlineReplicas: [],
      })),
    })),
  };
}

/** Returns what was produced from each requested offset; an empty answer is delayed by the caller. */
export function fetchResponse(state: CaptureState, req: FetchRequest): MessageInput<FetchResponse> {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: req.topics.map((t) => {
      const topic = t.topic !== '' ? state.topics.get(t.topic) : state.topicById(t.topicId);
      return {
        topic: t.topic,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => {
          const log = topic?.partitions[p.partition];
          if (log === undefined) {
            return {
              partitionIndex: p.partition,
              errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              records: null,
            };
          }
          const end = logEndOffset(log);
          return {
            partitionIndex: p.partition,
            errorCode: 0,
            highWatermark: end,
            lastStableOffset: end,
            logStartOffset: 0n,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: readRecords(log, p.fetchOffset, p.partitionMaxBytes),
          };
        }),
      };
    }),
  };
}

export function listOffsetsResponse(
  state: CaptureState,
  req: ListOffsetsRequest,
  version: number,
): MessageInput<ListOffsetsResponse> {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const log = state.topics.get(t.name)?.partitions[p.partitionIndex];
        if (log === undefined)
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        // Every other timestamp resolves to the log start: the capture broker keeps no time index.
        const offset = p.timestamp === LATEST_TIMESTAMP ? logEndOffset(log) : 0n;
        return {
          partitionIndex: p.partitionIndex,
          errorCode: 0,
          oldStyleOffsets: version === 0 ? [offset] : [],
          timestamp: -1n,
          offset: version === 0 ? undefined : offset,
          // Fields a version lacks must keep their defaults (they are not ignorable).
          leaderEpoch: version >= 4 ? 0 : -1,
        };
      }),
    })),
  };
}
