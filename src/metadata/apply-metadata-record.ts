import type { MetadataRecord } from './controller/metadata-record.js';
import type { MetadataImage } from './metadata-image.js';

/** Applies one metadata record to the image; replay of the log is this, record after record. */
export function applyMetadataRecord(image: MetadataImage, record: MetadataRecord): void {
  switch (record.type) {
    case 'TopicRecord':
      return image.applyTopic(record.data);
    case 'PartitionRecord':
      return image.applyPartition(record.data);
    case 'PartitionChangeRecord':
      return image.applyPartitionChange(record.data);
    case 'RemoveTopicRecord':
      return image.applyRemoveTopic(record.data.topicId);
    case 'ConfigRecord':
      return image.applyConfig(record.data);
    case 'FeatureLevelRecord':
      return image.applyFeatureLevel(record.data.name, record.data.featureLevel);
    case 'ProducerIdsRecord':
      image.nextProducerId = record.data.nextProducerId;
      return;
    case 'RegisterBrokerRecord':
      return image.applyBroker({ ...record.data });
    case 'NoOpRecord':
      return;
  }
}
