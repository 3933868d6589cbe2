import { setTimeout as sleep } from 'node:timers/promises';
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment } from '../../protocol/consumer-protocol.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DeleteGroupsRequest } from '../../protocol/generated/messages/delete-groups-request.js';
import { DeleteGroupsResponse } from '../../protocol/generated/messages/delete-groups-response.js';
import { DescribeGroupsRequest } from '../../protocol/generated/messages/describe-groups-request.js';
import { DescribeGroupsResponse } from '../../protocol/generated/messages/describe-groups-response.js';
import { FindCoordinatorRequest } from '../../protocol/generated/messages/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../../protocol/generated/messages/find-coordinator-response.js';
import { ListGroupsRequest } from '../../protocol/generated/messages/list-groups-request.js';
import { ListGroupsResponse } from '../../protocol/generated/messages/list-groups-response.js';
import { OffsetCommitRequest } from '../../protocol/generated/messages/offset-commit-request.js';
import { OffsetCommitResponse } from '../../protocol/generated/messages/offset-commit-response.js';
import { OffsetFetchRequest } from '../../protocol/generated/messages/offset-fetch-request.js';
import { OffsetFetchResponse } from '../../protocol/generated/messages/offset-fetch-response.js';
import { badRequest, ConsoleApiError, checkKafka, intValue, type KafkaAs } from './api-support.js';
import type { ConsoleSampler } from './console-sampler.js';
import { describeTopicMetadata, EARLIEST, LATEST, listOffsets } from './topics-api.js';

/** How long a group request waits for the group's coordinator to be created or loaded. */
const COORDINATOR_WAIT_MS = 5000;

const COORDINATOR_PENDING: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);

/**
 * Finds the group's coordinator first, as a Kafka client does: the first FindCoordinator creates
 * __consumer_offsets, and the coordinator answers COORDINATOR_LOAD_IN_PROGRESS while it loads its
 * partition. Retried for up to COORDINATOR_WAIT_MS, then the last error is the answer.
 */
async function findCoordinator(kafka: KafkaAs, groupId: string): Promise<void> {
  const deadline = Date.now() + COORDINATOR_WAIT_MS;
  for (;;) {
    const res = await kafka.send(FindCoordinatorRequest, FindCoordinatorResponse, 4, {
      keyType: 0,
      coordinatorKeys: [groupId],
    });
    const c = res.coordinators[0];
    const code = c?.errorCode ?? res.errorCode;
    if (!COORDINATOR_PENDING.has(code) || Date.now() >= deadline) {
      checkKafka(code, c?.errorMessage ?? res.errorMessage);
      return;
    }
    await sleep(100);
  }
}

/** Runs a group request, again while its coordinator is still loading (up to COORDINATOR_WAIT_MS). */
async function groupRequest<T>(kafka: KafkaAs, groupId: string, send: () => Promise<T>): Promise<T> {
  await findCoordinator(kafka, groupId);
  const deadline = Date.now() + COORDINATOR_WAIT_MS;
  for (;;) {
    try {
      return await send();
    } catch (err) {
      const pending =
        err instanceof ConsoleApiError &&
        (err.errorName === 'COORDINATOR_LOAD_IN_PROGRESS' || err.errorName === 'COORDINATOR_NOT_AVAILABLE');
      if (!pending || Date.now() >= deadline) throw err;
      await sleep(100);
    }
  }
}

/** Groups described on the groups page at most (the first, by id). */
export const GROUPS_PAGE_MAX = 500;

/** GET /api/groups: every group the principal may see, with its state, members and total lag. */
export async function listGroups(kafka: KafkaAs, sampler: ConsoleSampler) {
  const listed = await kafka.send(ListGroupsRequest, ListGroupsResponse, 5, {});
  checkKafka(listed.errorCode);
  const ids = listed.groups.map((g) => g.groupId).sort();
  const shown = ids.slice(0, GROUPS_PAGE_MAX);
  const described =
    shown.length === 0
      ? []
      : (await kafka.send(DescribeGroupsRequest, DescribeGroupsResponse, 5, { groups: shown })).groups;
  sampler.fresh();
  return {
    total: ids.length,
    groups: described.map((g) => ({
      groupId: g.groupId,
      state: g.groupState,
      protocolType: g.protocolType,
      protocol: g.protocolData,
      members: g.members.length,
      totalLag: sampler.groupTotalLag(g.groupId),
    })),
  };
}

interface LagEntry {
  topic: string;
  partition: number;
  committedOffset: number;
  logEndOffset: number | null;
  lag: number | null;
  memberId: string | null;
}

/** The group's committed offsets, topic → partition → offset (OffsetFetch of all its offsets). */
async function committedOffsets(kafka: KafkaAs, groupId: string): Promise<Map<string, Map<number, number>>> {
  const g = await groupRequest(kafka, groupId, async () => {
    const res = await kafka.send(OffsetFetchRequest, OffsetFetchResponse, 8, {
      groups: [{ groupId, topics: null }],
      requireStable: false,
    });
    const found = res.groups[0];
    if (found !== undefined) checkKafka(found.errorCode);
    return found;
  });
  if (g === undefined) return new Map();
  const out = new Map<string, Map<number, number>>();
  for (const t of g.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE || p.committedOffset < 0n) continue;
      let m = out.get(t.name);
      if (m === undefined) {
        m = new Map();
        out.set(t.name, m);
      }
      m.set(p.partitionIndex, Number(p.committedOffset));
    }
  }
  return out;
}

async function describeGroup(kafka: KafkaAs, groupId: string) {
  return groupRequest(kafka, groupId, async () => {
    const res = await kafka.send(DescribeGroupsRequest, DescribeGroupsResponse, 5, { groups: [groupId] });
    const g = res.groups[0]!;
    checkKafka(g.errorCode);
    return g;
  });
}

/**
 * GET /api/groups/:id: state, members with their assignments, lag per partition (log end offset
 * minus committed offset, as kafka-consumer-groups --describe shows it) and the lag over time
 * that the broker sampled.
 */
export async function groupDetail(kafka: KafkaAs, sampler: ConsoleSampler, groupId: string) {
  const g = await describeGroup(kafka, groupId);
  if (g.groupState === 'Dead') {
    throw new ConsoleApiError(404, 'GROUP_ID_NOT_FOUND', `group ${groupId} does not exist`);
  }
  const owner = new Map<string, string>();
  const members = g.members.map((m) => {
    let assignment: { topic: string; partitions: number[] }[] = [];
    if (g.protocolType === CONSUMER_PROTOCOL_TYPE) {
      try {
        assignment = [...decodeAssignment(m.memberAssignment).partitions].map(([topic, partitions]) => ({
          topic,
          partitions: [...partitions].sort((a, b) => a - b),
        }));
      } catch {
        assignment = []; // a member's assignment the consumer protocol cannot read shows as none
      }
    }
    for (const a of assignment) for (const p of a.partitions) owner.set(`${a.topic}:${p}`, m.memberId);
    return {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      host: m.clientHost,
      assignment,
    };
  });
  const committed = await committedOffsets(kafka, groupId);
  const lag: LagEntry[] = [];
  for (const [topic, offsets] of [...committed].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const parts = [...offsets.keys()].sort((a, b) => a - b);
    let ends: Map<number, number | null>;
    try {
      ends = await listOffsets(kafka, topic, parts, LATEST);
    } catch (err) {
      if (!(err instanceof ConsoleApiError)) throw err;
      ends = new Map(); // the topic is gone: offsets shown without lag
    }
    for (const p of parts) {
      const committedOffset = offsets.get(p)!;
      const end = ends.get(p) ?? null;
      lag.push({
        topic,
        partition: p,
        committedOffset,
        logEndOffset: end,
        lag: end === null ? null : Math.max(0, end - committedOffset),
        memberId: owner.get(`${topic}:${p}`) ?? null,
      });
    }
  }
  sampler.fresh();
  return {
    groupId,
    state: g.groupState,
    protocolType: g.protocolType,
    protocol: g.protocolData,
    members,
    lag,
    totalLag: lag.reduce((s, l) => s + (l.lag ?? 0), 0),
    history: sampler.groupLag(groupId),
  };
}

type ResetTo = 'earliest' | 'latest' | 'timestamp' | 'offset';
const RESET_TARGETS: readonly ResetTo[] = ['earliest', 'latest', 'timestamp', 'offset'];

/**
 * POST /api/groups/:id/reset {to, value?, topic?, partitions?, dryRun}: kafka-consumer-groups
 * --reset-offsets. The plan covers the partitions the group has offsets for (of `topic` only when
 * given; every partition of `topic` when the group has none there yet); a target offset is kept
 * within [log start, log end] as Kafka's tool does. Executing it needs the group inactive (Empty
 * or Dead), as Kafka's tool requires, and commits the offsets with OffsetCommit as an admin does
 * (generation -1, no member id).
 */
export async function resetOffsets(kafka: KafkaAs, groupId: string, body: Record<string, unknown>) {
  const to = body.to as ResetTo;
  if (!RESET_TARGETS.includes(to)) throw badRequest(`to must be one of ${RESET_TARGETS.join(', ')}`);
  const value =
    to === 'timestamp' || to === 'offset' ? intValue(body.value, 'value', 0, Number.MAX_SAFE_INTEGER) : 0;
  const dryRun = body.dryRun !== false;
  const topicFilter =
    body.topic === undefined || body.topic === null || body.topic === '' ? null : body.topic;
  if (topicFilter !== null && typeof topicFilter !== 'string') throw badRequest('topic must be a string');
  const committed = await committedOffsets(kafka, groupId);
  const scope = new Map<string, number[]>();
  for (const [topic, offsets] of committed) {
    if (topicFilter === null || topic === topicFilter)
      scope.set(
        topic,
        [...offsets.keys()].sort((a, b) => a - b),
      );
  }
  if (topicFilter !== null && !scope.has(topicFilter)) {
    const t = await describeTopicMetadata(kafka, topicFilter);
    scope.set(
      topicFilter,
      t.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b),
    );
  }
  if (scope.size === 0) throw badRequest(`group ${groupId} has no committed offsets to reset; name a topic`);

  const plan: { topic: string; partition: number; currentOffset: number | null; newOffset: number }[] = [];
  for (const [topic, parts] of [...scope].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [earliest, latest] = await Promise.all([
      listOffsets(kafka, topic, parts, EARLIEST),
      listOffsets(kafka, topic, parts, LATEST),
    ]);
    const byTime = to === 'timestamp' ? await listOffsets(kafka, topic, parts, BigInt(value)) : null;
    for (const p of parts) {
      const lo = earliest.get(p) ?? 0;
      const hi = latest.get(p) ?? 0;
      let target: number;
      if (to === 'earliest') target = lo;
      else if (to === 'latest') target = hi;
      else if (to === 'offset') target = Math.min(Math.max(value, lo), hi);
      else target = byTime?.get(p) ?? hi; // no record at or after the time: the end
      plan.push({
        topic,
        partition: p,
        currentOffset: committed.get(topic)?.get(p) ?? null,
        newOffset: target,
      });
    }
  }
  if (dryRun) return { groupId, dryRun: true, plan };

  const g = await describeGroup(kafka, groupId);
  if (g.groupState !== 'Empty' && g.groupState !== 'Dead') {
    throw new ConsoleApiError(
      409,
      'GROUP_NOT_INACTIVE',
      `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${g.groupState}.`,
    );
  }
  const topics = new Map<string, { partitionIndex: number; committedOffset: bigint }[]>();
  for (const row of plan) {
    let list = topics.get(row.topic);
    if (list === undefined) {
      list = [];
      topics.set(row.topic, list);
    }
    list.push({ partitionIndex: row.partition, committedOffset: BigInt(row.newOffset) });
  }
  await groupRequest(kafka, groupId, async () => {
    const res = await kafka.send(OffsetCommitRequest, OffsetCommitResponse, 8, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    });
    for (const t of res.topics) for (const p of t.partitions) checkKafka(p.errorCode);
  });
  return { groupId, dryRun: false, plan };
}

/** DELETE /api/groups/:id: DeleteGroups (NON_EMPTY_GROUP while it has members). */
export async function deleteGroup(kafka: KafkaAs, groupId: string) {
  await groupRequest(kafka, groupId, async () => {
    const res = await kafka.send(DeleteGroupsRequest, DeleteGroupsResponse, 2, { groupsNames: [groupId] });
    checkKafka(res.results[0]!.errorCode);
  });
  return { groupId, deleted: true };
}
