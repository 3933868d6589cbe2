import type { MetadataRecord } from './controller/metadata-record.js';
import type { MetadataImage } from './metadata-image.js';

/** Applies one metadata record to the image; replay of the log is this, record after record. */
export function applyMetadataRecord(image: MetadataImage, record: MetadataRecord): void {
  switch (record.type) {
    case 'TopicRecord':
      image.applyTopic(record.data);
      return;
    case 'PartitionRecord':
      image.applyPartition(record.data);
      return;
    case 'PartitionChangeRecord':
      image.applyPartitionChange(record.data);
      return;
    case 'RemoveTopicRecord':
      image.applyRemoveTopic(record.data.topicId);
      return;
    case 'ConfigRecord':
      image.applyConfig(record.data);
      return;
    case 'FeatureLevelRecord':
      image.applyFeatureLevel(record.data.name, record.data.featureLevel);
      return;
    case 'ProducerIdsRecord':
      image.nextProducerId = record.data.nextProducerId;
      return;
    case 'RegisterBrokerRecord':
      image.applyBroker({ ...record.data });
      return;
    case 'BrokerRegistrationChangeRecord':
      image.applyBrokerRegistrationChange(record.data);
      return;
    case 'UserScramCredentialRecord':
      image.applyUserScramCredential(record.data);
      return;
    case 'RemoveUserScramCredentialRecord':
      image.applyRemoveUserScramCredential(record.data.name, record.data.mechanism);
      return;
    case 'AccessControlEntryRecord':
      image.applyAccessControlEntry(record.data);
      return;
    case 'RemoveAccessControlEntryRecord':
      image.applyRemoveAccessControlEntry(record.data.id);
      return;
    case 'ClientQuotaRecord':
      image.applyClientQuota(record.data);
      return;
    case 'NoOpRecord':
      return;
  }
}
