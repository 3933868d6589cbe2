import { AclOperation } from '../../metadata/acl/acl-binding.js';
import {
  ElectionType,
  type ElectLeadersResult,
  electLeaders,
} from '../../metadata/controller/partition-elections.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ElectLeadersRequest } from '../../protocol/generated/messages/elect-leaders-request.js';
import { ElectLeadersResponse } from '../../protocol/generated/messages/elect-leaders-response.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { electionSettings } from '../election-settings.js';
import { submitOrFail } from '../metadata-write.js';

/**
 * ElectLeaders (KIP-183, KIP-460; kafka-leader-election.sh): PREFERRED moves each partition's
 * leadership to its first replica when that one is in the ISR and may lead, UNCLEAN elects a leader
 * for partitions without one from any live replica (an explicit choice that may lose committed
 * records, logged at warn). Decided by the controller's pure `electLeaders` and written before the
 * answer; a broker that is not the controller forwards it (Envelope). v0 is always PREFERRED.
 * Needs ALTER on the cluster.
 */
export function electLeadersHandler(s: BrokerServices) {
  return defineHandler(ElectLeadersRequest, ElectLeadersResponse, { min: 0, max: 2 }, async (req, ctx) => {
    const all = req.topicPartitions === null;
    const asked = req.topicPartitions ?? [];
    const failed = (errorCode: number) => ({
      throttleTimeMs: 0,
      errorCode,
      replicaElectionResults: asked.map((t) => ({
        topic: t.topic,
        partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode, errorMessage: null })),
      })),
    });
    if (s.authorizer.enabled && !s.authorizer.authorizeCluster(ctx.connection, AclOperation.ALTER))
      return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const electionType = ctx.apiVersion >= 1 ? req.electionType : ElectionType.PREFERRED;
    const settings = electionSettings(s.replicas);
    const result = await submitOrFail<ElectLeadersResult | { errorCode: number }>(
      s,
      (image) => {
        const r = electLeaders(image, electionType, all ? null : asked, settings);
        return { records: r.records, response: r.response };
      },
      (errorCode) => ({ errorCode }),
    );
    if ('errorCode' in result) return failed(result.errorCode);
    for (const u of result.uncleanElections)
      s.logger.warn(
        { topic: u.topic, partition: u.partition, leader: u.leader },
        'unclean leader election asked with ElectLeaders: the new leader may lack committed records',
      );
    const byTopic = new Map<
      string,
      { partitionId: number; errorCode: number; errorMessage: string | null }[]
    >();
    for (const r of result.results) {
      let list = byTopic.get(r.topic);
      if (list === undefined) {
        list = [];
        byTopic.set(r.topic, list);
      }
      list.push({ partitionId: r.partitionId, errorCode: r.errorCode, errorMessage: r.errorMessage });
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      replicaElectionResults: [...byTopic].map(([topic, partitionResult]) => ({ topic, partitionResult })),
    };
  });
}
