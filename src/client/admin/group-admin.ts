import { decodeAssignment, type TopicPartitions } from '../../protocol/consumer-protocol.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ClientError, checkErrorCode } from '../client-error.js';
import { groupBy } from '../collections.js';
import { Apis } from '../network/apis.js';
import type { Cluster } from '../network/cluster.js';
import { findCoordinator } from '../network/coordinator.js';
import { commitOffsets, fetchCommittedOffsets } from '../operations/group-offsets.js';

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: string;
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Decoded when the group uses the consumer protocol. */
  assignment: TopicPartitions | null;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMemberDescription[];
  /** The broker coordinating the group, as it answered FindCoordinator. */
  coordinator: { nodeId: number; host: string; port: number };
}

export interface GroupOffset {
  topic: string;
  partition: number;
  offset: bigint;
  metadata?: string | null;
}

/** Group operations of the Admin client: each goes to the group's coordinator. */
export class GroupAdmin {
  constructor(
    protected readonly cluster: Cluster,
    private readonly ownsCluster: boolean,
  ) {}

  /** Groups on every broker (each broker lists the groups it coordinates). */
  async listGroups(options: { signal?: AbortSignal } = {}): Promise<GroupListing[]> {
    await this.cluster.refreshMetadata([], options.signal);
    const all = await Promise.all(
      [...this.cluster.brokers.keys()].map(async (node) => {
        const res = await this.cluster.request(
          node,
          Apis.ListGroups,
          { statesFilter: [], typesFilter: [] },
          options,
        );
        checkErrorCode(res.errorCode, 'ListGroups');
        return res.groups.map((g) => ({
          groupId: g.groupId,
          protocolType: g.protocolType,
          state: g.groupState,
        }));
      }),
    );
    return all.flat().sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  async describeGroups(
    groupIds: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<GroupDescription[]> {
    const out: GroupDescription[] = [];
    for (const groupId of groupIds) {
      const node = await findCoordinator(this.cluster, groupId, 0, options.signal);
      const res = await this.cluster.request(
        node,
        Apis.DescribeGroups,
        { groups: [groupId], includeAuthorizedOperations: false },
        options,
      );
      const broker = this.cluster.brokers.get(node);
      const coordinator = { nodeId: node, host: broker?.host ?? '', port: broker?.port ?? -1 };
      for (const g of res.groups) {
        checkErrorCode(g.errorCode, g.groupId);
        out.push({
          groupId: g.groupId,
          state: g.groupState,
          protocolType: g.protocolType,
          protocol: g.protocolData,
          coordinator,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            assignment:
              g.protocolType === 'consumer' ? decodeAssignment(m.memberAssignment).partitions : null,
          })),
        });
      }
    }
    return out;
  }

  /** Deletes empty groups and their committed offsets. */
  async deleteGroups(groupIds: readonly string[], options: { signal?: AbortSignal } = {}): Promise<void> {
    const nodes = await Promise.all(
      groupIds.map(async (g) => ({ g, node: await findCoordinator(this.cluster, g, 0, options.signal) })),
    );
    for (const [node, entries] of groupBy(nodes, (e) => e.node)) {
      const res = await this.cluster.request(
        node,
        Apis.DeleteGroups,
        { groupsNames: entries.map((e) => e.g) },
        options,
      );
      for (const r of res.results) checkErrorCode(r.errorCode, r.groupId);
    }
  }

  /**
   * Removes members from a group at once, without waiting for their sessions to expire (Kafka's
   * Admin.removeMembersFromConsumerGroup, KIP-345 and KIP-571): LeaveGroup v3+ naming each member
   * by its group instance id when static, else its member id. Without `members`, every member the
   * group has now. Resolves with the members removed; a member the group no longer has is skipped.
   */
  async removeMembersFromConsumerGroup(
    groupId: string,
    options: {
      members?: readonly { memberId?: string; groupInstanceId?: string | null }[];
      reason?: string;
      signal?: AbortSignal;
    } = {},
  ): Promise<{ memberId: string; groupInstanceId: string | null }[]> {
    const members =
      options.members?.map((m) => ({
        memberId: m.memberId ?? '',
        groupInstanceId: m.groupInstanceId ?? null,
      })) ??
      ((await this.describeGroups([groupId], options))[0]?.members ?? []).map((m) => ({
        memberId: m.groupInstanceId === null ? m.memberId : '',
        groupInstanceId: m.groupInstanceId,
      }));
    if (members.length === 0) return [];
    const node = await findCoordinator(this.cluster, groupId, 0, options.signal);
    const reason = options.reason ?? 'member was removed by an admin';
    const res = await this.cluster.request(
      node,
      Apis.LeaveGroup,
      (version) => {
        if (version < 3)
          throw new ClientError('UNSUPPORTED_API', 'removing members needs LeaveGroup v3 or newer (KIP-345)');
        return { groupId, members: members.map((m) => ({ ...m, reason })) };
      },
      options,
    );
    checkErrorCode(res.errorCode, groupId);
    const removed: { memberId: string; groupInstanceId: string | null }[] = [];
    for (const m of res.members) {
      if (m.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) continue;
      checkErrorCode(m.errorCode, `${groupId} member ${m.groupInstanceId ?? m.memberId}`);
      removed.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId });
    }
    return removed;
  }

  /** Committed offsets of a group, for all its partitions or the given topics. */
  async listGroupOffsets(
    groupId: string,
    options: { topics?: string[]; signal?: AbortSignal } = {},
  ): Promise<GroupOffset[]> {
    const topics = options.topics ? await this.cluster.topicsMetadata(options.topics, options.signal) : null;
    const request = topics
      ? new Map(topics.map((t) => [t.name, t.partitions.map((p) => p.partition)]))
      : null;
    const offsets = await fetchCommittedOffsets(this.cluster, groupId, request, options.signal);
    return offsets.filter((o) => o.offset >= 0n);
  }

  /** Sets a group's committed offsets; the group must have no active members. */
  async alterGroupOffsets(
    groupId: string,
    offsets: readonly GroupOffset[],
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await commitOffsets(
      this.cluster,
      groupId,
      { generationId: -1, memberId: '', groupInstanceId: null },
      offsets,
      options.signal,
    );
  }

  async close(): Promise<void> {
    if (this.ownsCluster) this.cluster.close();
  }
}
