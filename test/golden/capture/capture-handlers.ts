import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import {
  ApiVersionsRequest,
  ApiVersionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  FetchRequest,
  FetchResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
  MetadataRequest,
  MetadataResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  ProduceRequest,
  ProduceResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../../src/protocol/generated/index.js';
import type { MessageCodec, MessageInput } from '../../../src/protocol/message-codec.js';
import type { Reader } from '../../../src/protocol/primitives/reader.js';
import { joinGroupResponse, offsetCommitResponse, offsetFetchResponse } from './capture-group-handlers.js';
import { fetchResponse, listOffsetsResponse, metadataResponse } from './capture-read-handlers.js';
import { appendRecords, type CaptureState } from './capture-state.js';

/** What a handler produced: the encoded body, or nothing (Produce with acks=0), plus an optional delay. */
export interface Reply {
  body: Buffer | null;
  /** Fetch with nothing to return waits, like a broker honouring MaxWaitMs, so clients do not spin. */
  delayMs: number;
}

export interface CaptureHandler {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
  respond(state: CaptureState, r: Reader, version: number, clientId: string | null): Reply;
}

/**
 * Kafka 3.9's highest version of each API the capture broker answers. The broker advertises the
 * smaller of this and what the generated codecs support, so clients behave as against a 3.9 broker.
 */
const KAFKA_3_9_MAX_VERSIONS: ReadonlyMap<number, number> = new Map([
  [ApiKey.Produce, 11],
  [ApiKey.Fetch, 17],
  [ApiKey.ListOffsets, 9],
  [ApiKey.Metadata, 12],
  [ApiKey.OffsetCommit, 9],
  [ApiKey.OffsetFetch, 9],
  [ApiKey.FindCoordinator, 6],
  [ApiKey.JoinGroup, 9],
  [ApiKey.Heartbeat, 4],
  [ApiKey.LeaveGroup, 5],
  [ApiKey.SyncGroup, 5],
  [ApiKey.ApiVersions, 4],
  [ApiKey.CreateTopics, 7],
  [ApiKey.DeleteTopics, 6],
  [ApiKey.InitProducerId, 5],
]);

function handler<Req, Res>(
  request: MessageCodec<Req>,
  response: MessageCodec<Res>,
  handle: (
    state: CaptureState,
    req: Req,
    version: number,
    clientId: string | null,
  ) => MessageInput<Res> | null,
  delayMs?: (req: Req, res: MessageInput<Res>) => number,
): CaptureHandler {
  const cap = KAFKA_3_9_MAX_VERSIONS.get(request.apiKey) ?? request.maxVersion;
  return {
    apiKey: request.apiKey,
    minVersion: request.minVersion,
    maxVersion: Math.min(request.maxVersion, response.maxVersion, cap),
    respond(state, r, version, clientId) {
      const req = request.read(r, version);
      const res = handle(state, req, version, clientId);
      if (res === null) return { body: null, delayMs: 0 };
      return { body: response.encode(version, res), delayMs: delayMs?.(req, res) ?? 0 };
    },
  };
}

function produceResponse(state: CaptureState, req: ProduceRequest): MessageInput<ProduceResponse> | null {
  const responses = req.topicData.map((t) => {
    const topic = state.topic(t.name);
    return {
      name: t.name,
      partitionResponses: t.partitionData.map((p) => {
        const log = topic.partitions[p.index];
        if (log === undefined) return { index: p.index, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        const baseOffset = p.records === null ? 0n : appendRecords(log, p.records);
        return {
          index: p.index,
          errorCode: ErrorCode.NONE,
          baseOffset,
          logAppendTimeMs: -1n,
          logStartOffset: 0n,
        };
      }),
    };
  });
  // acks=0: the client expects no response at all (Kafka's Produce "acks" field).
  return req.acks === 0 ? null : { responses };
}

function findCoordinatorResponse(
  state: CaptureState,
  req: FindCoordinatorRequest,
  version: number,
): MessageInput<FindCoordinatorResponse> {
  const me = { nodeId: state.nodeId, host: state.host, port: state.port };
  if (version < 4) return { errorCode: ErrorCode.NONE, errorMessage: null, ...me };
  return {
    coordinators: req.coordinatorKeys.map((key) => ({
      key,
      ...me,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
    })),
  };
}

function createTopicsResponse(
  state: CaptureState,
  req: CreateTopicsRequest,
): MessageInput<CreateTopicsResponse> {
  return {
    topics: req.topics.map((t) => {
      const exists = state.topics.has(t.name);
      const topic = state.topic(t.name, t.numPartitions);
      return {
        name: t.name,
        topicId: topic.topicId,
        // A second create fails, as Kafka answers it.
        errorCode: exists ? ErrorCode.TOPIC_ALREADY_EXISTS : ErrorCode.NONE,
        errorMessage: null,
        numPartitions: topic.partitions.length,
        replicationFactor: 1,
        configs: [],
      };
    }),
  };
}

function deleteTopicsResponse(
  state: CaptureState,
  req: DeleteTopicsRequest,
): MessageInput<DeleteTopicsResponse> {
  const names = [
    ...req.topicNames,
    ...req.topics.map((t) => t.name ?? state.topicById(t.topicId)?.name ?? ''),
  ];
  return {
    responses: names.map((name) => {
      const topic = state.topics.get(name);
      if (topic !== undefined) state.topics.delete(name);
      return {
        name,
        topicId: topic?.topicId,
        errorCode: topic === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NONE,
        errorMessage: null,
      };
    }),
  };
}

/** ApiVersions is built last: it advertises every handler, itself included. */
function apiVersionsHandler(others: CaptureHandler[]): CaptureHandler {
  const keys = () =>
    [...others, self]
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  const self: CaptureHandler = handler(ApiVersionsRequest, ApiVersionsResponse, () => ({
    errorCode: ErrorCode.NONE,
    apiKeys: keys(),
    throttleTimeMs: 0,
  }));
  return self;
}

const HANDLER_LIST: CaptureHandler[] = [
  handler(ProduceRequest, ProduceResponse, produceResponse),
  handler(FetchRequest, FetchResponse, fetchResponse, (req, res) =>
    (res.responses ?? []).some((t) => (t.partitions ?? []).some((p) => (p.records?.length ?? 0) > 0))
      ? 0
      : Math.min(req.maxWaitMs, 500),
  ),
  handler(ListOffsetsRequest, ListOffsetsResponse, listOffsetsResponse),
  handler(MetadataRequest, MetadataResponse, metadataResponse),
  handler(OffsetCommitRequest, OffsetCommitResponse, offsetCommitResponse),
  handler(OffsetFetchRequest, OffsetFetchResponse, offsetFetchResponse),
  handler(FindCoordinatorRequest, FindCoordinatorResponse, findCoordinatorResponse),
  handler(JoinGroupRequest, JoinGroupResponse, joinGroupResponse),
  handler(HeartbeatRequest, HeartbeatResponse, () => ({ errorCode: ErrorCode.NONE })),
  handler(LeaveGroupRequest, LeaveGroupResponse, (_s, req) => ({
    errorCode: ErrorCode.NONE,
    members: req.members.map((m) => ({ ...m, errorCode: ErrorCode.NONE })),
  })),
  handler(SyncGroupRequest, SyncGroupResponse, (state, req) => {
    const group = state.group(req.groupId);
    for (const a of req.assignments) group.assignments.set(a.memberId, a.assignment);
    return {
      errorCode: ErrorCode.NONE,
      protocolType: req.protocolType,
      protocolName: req.protocolName,
      assignment: group.assignments.get(req.memberId) ?? Buffer.alloc(0),
    };
  }),
  handler(CreateTopicsRequest, CreateTopicsResponse, createTopicsResponse),
  handler(DeleteTopicsRequest, DeleteTopicsResponse, deleteTopicsResponse),
  handler(InitProducerIdRequest, InitProducerIdResponse, (state) => ({
    errorCode: ErrorCode.NONE,
    producerId: state.newProducerId(),
    producerEpoch: 0,
  })),
];

/** Every API the capture broker answers, by api key. */
export const CAPTURE_HANDLERS: ReadonlyMap<number, CaptureHandler> = new Map(
  [...HANDLER_LIST, apiVersionsHandler(HANDLER_LIST)].map((h) => [h.apiKey, h]),
);
