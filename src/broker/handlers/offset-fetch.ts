import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { OffsetFetchRequest } from '../../protocol/generated/messages/offset-fetch-request.js';
import { OffsetFetchResponse } from '../../protocol/generated/messages/offset-fetch-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { groupRequestOrigin } from './group-request-origin.js';

/** OffsetFetch: one group (v0–v7) or several (v8+); a null topic list asks for every committed offset (v2+). */
export function offsetFetchHandler(s: BrokerServices) {
  return defineHandler(OffsetFetchRequest, OffsetFetchResponse, { min: 0, max: 9 }, async (req, ctx) => {
    const v = ctx.apiVersion;
    const groups =
      v >= 8
        ? req.groups.map((g) => ({ groupId: g.groupId, topics: g.topics }))
        : [{ groupId: req.groupId, topics: req.topics }];
    // Kafka's KafkaApis.handleOffsetFetchRequest: DESCRIBE on each group (else
    // GROUP_AUTHORIZATION_FAILED), and DESCRIBE on each topic: a listed topic denied answers
    // TOPIC_AUTHORIZATION_FAILED, one denied among "all topics" is left out.
    const authorizer = s.authorizer;
    const deniedGroups = new Set<string>();
    const deniedTopics = new Map<string, { name: string; partitionIndexes: number[] }[]>();
    const asked = groups.filter((g) => {
      if (!authorizer.authorize(ctx.connection, AclOperation.DESCRIBE, AclResourceType.GROUP, g.groupId)) {
        deniedGroups.add(g.groupId);
        return false;
      }
      return true;
    });
    const allowedTopics = (names: Iterable<string>, logIfDenied: boolean) =>
      authorizer.filterAuthorized(
        ctx.connection,
        AclOperation.DESCRIBE,
        AclResourceType.TOPIC,
        names,
        logIfDenied,
      );
    const request = asked.map((g) => {
      if (!authorizer.enabled || g.topics === null) return g;
      const allowed = allowedTopics(
        g.topics.map((t) => t.name),
        true,
      );
      deniedTopics.set(
        g.groupId,
        g.topics.filter((t) => !allowed.has(t.name)),
      );
      return { groupId: g.groupId, topics: g.topics.filter((t) => allowed.has(t.name)) };
    });
    const r =
      request.length === 0
        ? { groups: [] }
        : await s.groups.request('OffsetFetch', groupRequestOrigin(ctx), {
            groups: request,
            requireStable: v >= 7 && req.requireStable,
          });
    const answered = new Map(r.groups.map((g) => [g.groupId, g]));
    const topicsOf = (groupId: string) => {
      const g = answered.get(groupId);
      if (!g) return [];
      const visible =
        authorizer.enabled && groups.find((x) => x.groupId === groupId)?.topics === null
          ? allowedTopics(
              g.topics.map((t) => t.name),
              false,
            )
          : null;
      const topics = g.topics
        .filter((t) => visible === null || visible.has(t.name))
        .map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            ...p,
            committedLeaderEpoch: v >= 5 ? p.committedLeaderEpoch : -1,
          })),
        }));
      for (const t of deniedTopics.get(groupId) ?? []) {
        topics.push({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: -1n,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          })),
        });
      }
      return topics;
    };
    const errorOf = (groupId: string): number =>
      deniedGroups.has(groupId)
        ? ErrorCode.GROUP_AUTHORIZATION_FAILED
        : (answered.get(groupId)?.errorCode ?? 0);
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        groups: groups.map((g) => ({
          groupId: g.groupId,
          topics: topicsOf(g.groupId),
          errorCode: errorOf(g.groupId),
        })),
      };
    }
    const groupId = groups[0]!.groupId;
    if (deniedGroups.has(groupId) && v < 2) {
      // Before v2 there is no top-level error code: each requested partition carries it.
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        topics: (req.topics ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: -1n,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
          })),
        })),
      };
    }
    return { throttleTimeMs: 0, topics: topicsOf(groupId), errorCode: v >= 2 ? errorOf(groupId) : 0 };
  });
}
