import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { EMPTY_BYTES } from '../../protocol/codec-support.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { FetchRequest } from '../../protocol/generated/messages/fetch-request.js';
import { FetchResponse } from '../../protocol/generated/messages/fetch-response.js';
import type { MessageInput } from '../../protocol/message-codec.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { downConvert } from '../../protocol/records/convert.js';
import type { FileSlice } from '../../storage/file-slice.js';
import { defineHandler, type RequestContext } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import {
  fetchIsReady,
  ISOLATION_READ_COMMITTED,
  type PlannedRead,
  planFetch,
} from '../fetch/fetch-planner.js';
import {
  type FetchPartitionKey,
  type FetchPartitionRequest,
  partitionKey,
} from '../fetch/fetch-session-cache.js';
import { ReadBufferPool } from '../fetch/read-buffer-pool.js';
import type { ByteLease } from '../network/byte-budget.js';
import { quotaClientId, quotaUser, recordBytes as recordQuotaBytes } from '../quota/client-quotas.js';
import { kafkaErrorFor } from '../replica/storage-error-codes.js';

type TopicResponse = MessageInput<FetchResponse['responses'][number]>;
type NodeEndpoint = MessageInput<FetchResponse['nodeEndpoints'][number]>;
type PartitionResponse = MessageInput<FetchResponse['responses'][number]['partitions'][number]>;

const INT32_MAX = 0x7fffffff;

/**
 * Fetch: serves byte ranges of segment files as they are stored, long-polls for `minBytes` up to
 * `maxWaitMs` in the purgatory, keeps incremental fetch sessions (KIP-227, v7+), names topics by
 * id from v13, and down-converts to message sets v0/v1 for fetchers older than v4.
 */
export function fetchHandler(s: BrokerServices) {
  const readBuffers = new ReadBufferPool();
  return defineHandler(FetchRequest, FetchResponse, { min: 0, max: 17 }, async (req, ctx) => {
    const v = ctx.apiVersion;
    const image = s.metadata.image;
    const byId = v >= 13;
    const replicaId = v >= 15 ? req.replicaState.replicaId : req.replicaId;
    const isFollower = replicaId >= 0;
    const nameOf = (topic: string, topicId: string): string =>
      byId ? (image.topicsById.get(topicId)?.name ?? '') : topic;
    const requested: FetchPartitionRequest[] = [];
    // Kafka keeps a request's partitions in a LinkedHashMap (FetchRequest.fetchData): a partition
    // named again replaces the earlier entry in its place, so each partition is answered once.
    const named =
      req.topics.length > 1 || (req.topics[0]?.partitions.length ?? 0) > 1 ? new Map<string, number>() : null;
    for (const t of req.topics) {
      const topic = nameOf(t.topic, t.topicId);
      for (const p of t.partitions) {
        const entry: FetchPartitionRequest = {
          topic,
          topicId: byId ? t.topicId : ZERO_UUID,
          partition: p.partition,
          fetchOffset: p.fetchOffset,
          logStartOffset: p.logStartOffset,
          partitionMaxBytes: p.partitionMaxBytes,
          currentLeaderEpoch: p.currentLeaderEpoch,
          lastFetchedEpoch: p.lastFetchedEpoch,
        };
        const at = named === null ? undefined : named.get(partitionKey(entry));
        if (at !== undefined) requested[at] = entry;
        else {
          named?.set(partitionKey(entry), requested.length);
          requested.push(entry);
        }
      }
    }
    const forgotten: FetchPartitionKey[] = req.forgottenTopicsData.flatMap((f) =>
      f.partitions.map((partition) => ({
        topic: nameOf(f.topic, f.topicId),
        topicId: byId ? f.topicId : ZERO_UUID,
        partition,
      })),
    );
    const session =
      v >= 7
        ? s.fetchSessions.resolve(req.sessionId, req.sessionEpoch, requested, forgotten, isFollower)
        : { kind: 'full' as const, session: null, partitions: requested };
    if (session.kind === 'error') {
      return { throttleTimeMs: 0, errorCode: session.errorCode, sessionId: 0, responses: [] };
    }
    // The broker's fetch.max.bytes caps every response, whatever the request asks (KafkaApis
    // handleFetchRequest). Before v3 a request has no limit of its own and the cap is hard: no
    // batch is returned whole beyond it (FetchParams.hardMaxBytesLimit), as old clients expect.
    let maxBytes = Math.min(v >= 3 ? req.maxBytes : INT32_MAX, s.config.get('fetch.max.bytes'));
    // A consumer's fetch carries at most what its consumer_byte_rate allows in one quota window, so
    // that no single response is bound to be throttled (KafkaApis: maxQuotaWindowBytes). Followers
    // are not client-quota'd.
    const fetchQuota = !isFollower && s.quotas.fetch.enabled ? s.quotas.fetch : null;
    if (fetchQuota !== null) {
      const windowBytes = fetchQuota.maxValueInQuotaWindow(
        quotaUser(ctx),
        quotaClientId(ctx),
        s.clock.nowMs(),
      );
      maxBytes = Math.min(maxBytes, Math.max(0, Math.floor(windowBytes)));
    }
    const minBytes = Math.min(req.minBytes, maxBytes);
    const limits = {
      maxBytes,
      minOneMessage: v >= 3,
      isolationLevel: v >= 4 ? req.isolationLevel : 0,
      isFollower,
      replicaId,
      deniedTopics: s.authorizer.enabled ? deniedTopics(s, ctx, session.partitions, isFollower) : undefined,
    };
    // The records this response may carry are reserved from the connection's budget before
    // anything is read, in request order, so a client that pipelines fetches without reading the
    // responses makes its later fetches wait instead of piling their records up in memory.
    const reserved = reserveResponse(ctx, session.partitions, maxBytes);
    const lease = reserved instanceof Promise ? await reserved : reserved;
    const plan = () => planFetch(s.metadata.image, s.replicas, session.partitions, limits);
    let reads = plan();
    // The leader learns the follower's log end offset from where it fetches (before any long poll).
    if (isFollower) s.replicas.onFollowerFetch(replicaId, reads);
    if (req.maxWaitMs > 0 && !fetchIsReady(reads, minBytes) && session.partitions.length > 0) {
      reads = await new Promise<PlannedRead[]>((resolve) => {
        // The purgatory checks at once: the plan above just said no. A satisfied check's plan is
        // the one answered (planning reads every partition's offsets, so it is not done twice).
        let planned = true;
        let ready: PlannedRead[] | null = null;
        s.replicas.fetchPurgatory.tryCompleteElseWatch(
          {
            isSatisfied: () => {
              if (planned) {
                planned = false;
                return false;
              }
              const r = plan();
              if (!fetchIsReady(r, minBytes)) return false;
              ready = r;
              return true;
            },
            complete: () => resolve(ready ?? plan()),
          },
          session.partitions.map((p) => `${p.topic}-${p.partition}`),
          req.maxWaitMs,
        );
      });
    }
    s.replicas.fetched(reads);
    // Hold only what is read: the rest of the reservation goes to the fetches behind this one.
    lease?.resize(plannedBytes(reads));
    const answers = reads.map((r) => partitionResponse(s, r, v, limits.isolationLevel, ctx, readBuffers));
    const partitions = answers.some((a) => a instanceof Promise)
      ? await Promise.all(answers)
      : (answers as PartitionResponse[]);
    // Down-conversion changes the size of what is held until the response is sent.
    if (lease !== null && v < 4) lease.resize(recordBytes(partitions));
    if (fetchQuota !== null) {
      // KIP-219 as KafkaApis: a fetch over consumer_byte_rate is answered at once with no data
      // and the throttle time (the data is read again after the throttle), and its bytes are
      // taken back from the rate since they were not sent. The session stays as it was.
      const bytes = recordBytes(partitions);
      const nowMs = s.clock.nowMs();
      const throttleTimeMs = recordQuotaBytes(fetchQuota, ctx, bytes, nowMs);
      if (throttleTimeMs > 0) {
        fetchQuota.unrecord(quotaUser(ctx), quotaClientId(ctx), bytes, nowMs);
        if (session.kind === 'full' && session.session !== null) s.fetchSessions.remove(session.session.id);
        return {
          throttleTimeMs,
          errorCode: ErrorCode.NONE,
          sessionId: session.kind === 'incremental' ? (session.session?.id ?? 0) : 0,
          responses: [],
          nodeEndpoints: [],
        };
      }
    }
    const include =
      session.kind === 'incremental'
        ? s.fetchSessions.select(
            session,
            reads.map((r, i) => ({
              key: r.request,
              errorCode: partitions[i]!.errorCode ?? 0,
              highWatermark: r.highWatermark,
              lastStableOffset: r.lastStableOffset,
              logStartOffset: r.logStartOffset,
              recordBytes: partitions[i]!.records?.length ?? 0,
            })),
          )
        : null;
    const responses: (TopicResponse & { partitions: PartitionResponse[] })[] = [];
    reads.forEach((r, i) => {
      if (include && !include.has(partitionKey(r.request))) return;
      const last = responses[responses.length - 1];
      const sameTopic = last && (byId ? last.topicId === r.request.topicId : last.topic === r.request.topic);
      if (sameTopic) last.partitions.push(partitions[i]!);
      else {
        responses.push({
          topic: byId ? '' : r.request.topic,
          topicId: r.request.topicId,
          partitions: [partitions[i]!],
        });
      }
    });
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId: session.session?.id ?? 0,
      responses,
      nodeEndpoints: v >= 16 ? leaderEndpoints(s, partitions, ctx) : [],
    };
  });
}

/**
 * Kafka's KafkaApis.handleFetchRequest: a follower needs CLUSTER_ACTION on the cluster (else every
 * partition is denied), a consumer READ on each topic.
 */
function deniedTopics(
  s: BrokerServices,
  ctx: RequestContext,
  partitions: readonly FetchPartitionRequest[],
  isFollower: boolean,
): Set<string> {
  const topics = new Set<string>();
  for (const p of partitions) if (p.topic !== '') topics.add(p.topic);
  if (isFollower) {
    return s.authorizer.authorizeCluster(ctx.connection, AclOperation.CLUSTER_ACTION) ? new Set() : topics;
  }
  const allowed = s.authorizer.filterAuthorized(
    ctx.connection,
    AclOperation.READ,
    AclResourceType.TOPIC,
    topics,
  );
  for (const t of allowed) topics.delete(t);
  return topics;
}

/**
 * Takes from the connection's budget what the response can carry at most: `maxBytes`, or less when
 * the partitions' own limits add up to less. Null where no connection sends the response.
 */
function reserveResponse(
  ctx: RequestContext,
  partitions: readonly FetchPartitionRequest[],
  maxBytes: number,
): ByteLease | null | Promise<ByteLease> {
  const budget = ctx.connection.budget;
  const afterResponse = ctx.afterResponse;
  if (budget === undefined || afterResponse === undefined || partitions.length === 0) return null;
  let bytes = 0;
  for (const p of partitions) bytes += Math.max(0, p.partitionMaxBytes);
  // Given back once the response is with the kernel (or dropped with the connection).
  const hold = (lease: ByteLease): ByteLease => {
    afterResponse(() => lease.release());
    return lease;
  };
  const granted = budget.acquire(Math.min(bytes, maxBytes));
  return granted instanceof Promise ? granted.then(hold) : hold(granted);
}

function plannedBytes(reads: readonly PlannedRead[]): number {
  let n = 0;
  for (const r of reads) n += r.bytes;
  return n;
}

function recordBytes(partitions: readonly PartitionResponse[]): number {
  let n = 0;
  for (const p of partitions) n += p.records?.length ?? 0;
  return n;
}

/** The endpoints of the leaders named in `currentLeader` fields (KIP-951, v16+). */
function leaderEndpoints(
  s: BrokerServices,
  partitions: readonly PartitionResponse[],
  ctx: RequestContext,
): NodeEndpoint[] {
  const leaders = new Set<number>();
  for (const p of partitions) {
    const leaderId = p.currentLeader?.leaderId;
    if (leaderId !== undefined && leaderId >= 0) leaders.add(leaderId);
  }
  if (leaders.size === 0) return [];
  return s
    .brokerEndpoints(ctx.connection.listenerName)
    .filter((b) => leaders.has(b.nodeId))
    .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }));
}

function partitionResponse(
  s: BrokerServices,
  r: PlannedRead,
  version: number,
  isolationLevel: number,
  ctx: RequestContext,
  readBuffers: ReadBufferPool,
): PartitionResponse | Promise<PartitionResponse> {
  const base: PartitionResponse = {
    partitionIndex: r.request.partition,
    errorCode: r.errorCode,
    highWatermark: r.highWatermark,
    lastStableOffset: r.lastStableOffset,
    logStartOffset: r.logStartOffset,
    abortedTransactions:
      r.abortedTransactions !== null
        ? r.abortedTransactions.map((t) => ({ producerId: t.producerId, firstOffset: BigInt(t.firstOffset) }))
        : isolationLevel === ISOLATION_READ_COMMITTED
          ? []
          : null,
    preferredReadReplica: -1,
    records: EMPTY_BYTES,
  };
  if (r.errorCode !== ErrorCode.NONE) {
    // KIP-951: from v16 a fenced fetcher learns the current leader in the response. The field is
    // absent before v12 and Kafka leaves it unset before v16 (KafkaApis.handleFetchRequest).
    if (version >= 16 && r.partition && r.errorCode === ErrorCode.FENCED_LEADER_EPOCH) {
      base.currentLeader = { leaderId: r.partition.leaderId, leaderEpoch: r.partition.leaderEpoch };
    }
    return base;
  }
  if (r.bytes === 0) return base;
  // Recent bytes are read at once, so a tailing consumer's fetch completes without a promise.
  const read = r.slices.length === 1 ? readSlice(r.slices[0]!, version, ctx, readBuffers) : readAll(r.slices);
  return read instanceof Promise
    ? read.then((records) => withRecords(s, r, version, base, records))
    : withRecords(s, r, version, base, read);
}

/**
 * One slice's bytes: into a pooled buffer when the response is written by a connection that gives
 * it back (and sent as stored, v4+), into a new one otherwise.
 */
function readSlice(
  slice: FileSlice,
  version: number,
  ctx: RequestContext,
  readBuffers: ReadBufferPool,
): Buffer | Promise<Buffer> {
  const lend = ctx.afterResponse;
  const buf = version >= 4 && lend ? readBuffers.acquire(slice.length) : null;
  if (buf === null || !lend) return slice.readCached();
  lend(() => readBuffers.release(buf));
  const n = slice.readIntoCached(buf);
  return typeof n === 'number' ? buf.subarray(0, n) : n.then((read) => buf.subarray(0, read));
}

async function readAll(slices: readonly FileSlice[]): Promise<Buffer> {
  return Buffer.concat(await Promise.all(slices.map((x) => x.readCached())));
}

/** The partition's response with its records, down-converted for Fetch v0–v3. */
function withRecords(
  s: BrokerServices,
  r: PlannedRead,
  version: number,
  base: PartitionResponse,
  read: Buffer,
): PartitionResponse {
  let records = read;
  if (version < 4) {
    if (!s.replicas.topicConfig(r.request.topic)['message.downconversion.enable']) {
      return { ...base, errorCode: ErrorCode.UNSUPPORTED_VERSION };
    }
    try {
      records = downConvert(records, version <= 1 ? 0 : 1, { allowPartialTail: true });
    } catch (err) {
      const mapped = kafkaErrorFor(err);
      if (!mapped) throw err;
      // zstd for a pre-KIP-110 consumer is the client's problem, not the operator's, and the client
      // retries at once: a per-request debug line, or the log floods at thousands of lines a second.
      // Anything else means stored data did not decode, which an operator must look at.
      const fields = { err, topic: r.request.topic, partition: r.request.partition };
      if (mapped.code === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE)
        s.logger.debug(fields, 'down-conversion failed');
      else s.logger.error(fields, 'down-conversion failed');
      return { ...base, errorCode: mapped.code };
    }
  }
  return { ...base, records };
}
