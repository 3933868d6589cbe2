import type { ElectionSettings } from '../metadata/controller/partition-elections.js';
import type { ReplicaManager } from './replica/replica-manager.js';

/**
 * The topic settings the controller's elections read: each topic's effective min.insync.replicas
 * and unclean.leader.election.enable (its overrides, then the controller's broker defaults, as
 * Kafka's controller resolves them), with KIP-966 eligible leader replicas on.
 */
export function electionSettings(replicas: ReplicaManager): ElectionSettings {
  return {
    minInsyncReplicas: (topic) => replicas.topicConfig(topic)['min.insync.replicas'],
    uncleanLeaderElectionEnable: (topic) => replicas.topicConfig(topic)['unclean.leader.election.enable'],
    eligibleLeaderReplicasEnabled: true,
  };
}
