import type { ExpectedValue } from '../golden-index.js';
import type { Scenario } from './capture-scenarios.js';
import { topicIdFor } from './capture-state.js';

/**
 * Field values a frame must decode to, known from what the scenario asked its client to do
 * (topic, acks, group), not from decoding: they check the codecs read the right fields.
 */
export function expectationsFor(
  s: Scenario,
  apiName: string,
  version: number,
): Record<string, ExpectedValue> {
  const topic = s.topic;
  const group = s.groupId;
  switch (apiName) {
    case 'Produce':
      return {
        acks: s.acks ?? -1,
        'topicData.length': 1,
        'topicData.0.name': topic ?? '',
        'topicData.0.partitionData.0.index': 0,
        ...(version >= 3 ? { transactionalId: null } : {}),
      };
    case 'ApiVersions':
      return version >= 3 && s.softwareName !== undefined ? { clientSoftwareName: s.softwareName } : {};
    case 'Metadata':
      // Which topics a Metadata request names depends on client state (librdkafka first asks for
      // brokers only, then for all topics or the ones it knows), so there is nothing fixed to check.
      return {};
    case 'Fetch':
      return version >= 13
        ? { 'topics.0.topicId': topicIdFor(topic ?? ''), 'topics.0.partitions.0.partition': 0 }
        : { 'topics.0.topic': topic ?? '', 'topics.0.partitions.0.partition': 0 };
    case 'ListOffsets':
      return { 'topics.0.name': topic ?? '', 'topics.0.partitions.0.partitionIndex': 0 };
    case 'FindCoordinator':
      return version >= 4 ? { keyType: 0, 'coordinatorKeys.0': group ?? '' } : { key: group ?? '' };
    case 'JoinGroup':
      return { groupId: group ?? '', protocolType: 'consumer' };
    case 'SyncGroup':
    case 'Heartbeat':
    case 'LeaveGroup':
    case 'OffsetCommit':
      return { groupId: group ?? '' };
    case 'OffsetFetch':
      return version >= 8 ? { 'groups.0.groupId': group ?? '' } : { groupId: group ?? '' };
    case 'CreateTopics':
      return { 'topics.0.name': topic ?? '', 'topics.0.numPartitions': 2 };
    case 'DeleteTopics':
      return version >= 6 ? { 'topics.0.name': topic ?? '' } : { 'topicNames.0': topic ?? '' };
    case 'InitProducerId':
      return { transactionalId: null };
    default:
      return {};
  }
}
