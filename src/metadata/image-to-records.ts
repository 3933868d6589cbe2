import { clientQuotaEntityData } from './client-quota-entity.js';
import type { MetadataRecord } from './controller/metadata-record.js';
import type { MetadataImage } from './metadata-image.js';

/**
 * The records that rebuild an image from nothing: what a metadata snapshot holds. Replaying them
 * into an empty image yields an image equal to this one.
 */
export function imageToRecords(image: MetadataImage): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const [name, featureLevel] of image.features)
    out.push({ type: 'FeatureLevelRecord', data: { name, featureLevel } });
  for (const b of image.brokers.values()) {
    out.push({
      type: 'RegisterBrokerRecord',
      data: {
        brokerId: b.brokerId,
        incarnationId: b.incarnationId,
        brokerEpoch: b.brokerEpoch,
        endPoints: b.endPoints.map((e) => ({ ...e })),
        features: [],
        rack: b.rack,
        fenced: b.fenced,
        inControlledShutdown: b.inControlledShutdown,
      },
    });
  }
  for (const t of image.topicsById.values()) {
    out.push({ type: 'TopicRecord', data: { name: t.name, topicId: t.topicId } });
    for (const p of t.partitions.values())
      out.push({ type: 'PartitionRecord', data: { ...p, topicId: t.topicId } });
  }
  for (const [resourceType, byName] of image.configs) {
    for (const [resourceName, entries] of byName) {
      for (const [name, value] of entries)
        out.push({ type: 'ConfigRecord', data: { resourceType, resourceName, name, value } });
    }
  }
  for (const [name, byMechanism] of image.scramCredentials) {
    for (const [mechanism, c] of byMechanism)
      out.push({ type: 'UserScramCredentialRecord', data: { name, mechanism, ...c } });
  }
  for (const acl of image.acls.all()) out.push({ type: 'AccessControlEntryRecord', data: { ...acl } });
  for (const { entity, values } of image.clientQuotas.values()) {
    for (const [key, value] of values) {
      out.push({
        type: 'ClientQuotaRecord',
        data: { entity: clientQuotaEntityData(entity), key, value, remove: false },
      });
    }
  }
  if (image.nextProducerId > 0n) {
    out.push({
      type: 'ProducerIdsRecord',
      data: { brokerId: -1, brokerEpoch: -1n, nextProducerId: image.nextProducerId },
    });
  }
  return out;
}
