import type {
  AccessControlEntryRecordData,
  ClientQuotaRecordData,
  ConfigRecordData,
  PartitionChangeRecordData,
  PartitionRecordData,
  TopicRecordData,
  UserScramCredentialRecordData,
} from '../metadata-image.js';

/**
 * The metadata records the controller emits, by Kafka's record name. The metadata log serialises
 * each with the generated codec of that record type (the same bytes Kafka's KRaft log holds).
 */
export type MetadataRecord =
  | { readonly type: 'TopicRecord'; readonly data: TopicRecordData }
  | { readonly type: 'PartitionRecord'; readonly data: PartitionRecordData }
  | { readonly type: 'PartitionChangeRecord'; readonly data: PartitionChangeRecordData }
  | { readonly type: 'RemoveTopicRecord'; readonly data: { topicId: string } }
  | { readonly type: 'ConfigRecord'; readonly data: ConfigRecordData }
  | { readonly type: 'FeatureLevelRecord'; readonly data: { name: string; featureLevel: number } }
  | {
      readonly type: 'ProducerIdsRecord';
      readonly data: { brokerId: number; brokerEpoch: bigint; nextProducerId: bigint };
    }
  | {
      readonly type: 'RegisterBrokerRecord';
      readonly data: {
        brokerId: number;
        incarnationId: string;
        brokerEpoch: bigint;
        endPoints: { name: string; host: string; port: number; securityProtocol: number }[];
        features: { name: string; minSupportedVersion: number; maxSupportedVersion: number }[];
        rack: string | null;
        fenced: boolean;
        inControlledShutdown: boolean;
      };
    }
  | {
      readonly type: 'BrokerRegistrationChangeRecord';
      readonly data: {
        brokerId: number;
        brokerEpoch: bigint;
        /** -1 unfenced, 0 unchanged, 1 fenced (Kafka's BrokerRegistrationFencingChange). */
        fenced: number;
        /** 0 unchanged, 1 in controlled shutdown. */
        inControlledShutdown: number;
        logDirs: string[];
      };
    }
  | { readonly type: 'UserScramCredentialRecord'; readonly data: UserScramCredentialRecordData }
  | { readonly type: 'RemoveUserScramCredentialRecord'; readonly data: { name: string; mechanism: number } }
  | { readonly type: 'AccessControlEntryRecord'; readonly data: AccessControlEntryRecordData }
  | { readonly type: 'RemoveAccessControlEntryRecord'; readonly data: { id: string } }
  | { readonly type: 'ClientQuotaRecord'; readonly data: ClientQuotaRecordData }
  | { readonly type: 'NoOpRecord'; readonly data: Record<string, never> };

/** What a controller operation returns: records to make durable first, then the result to answer with. */
export interface ControllerResult<T> {
  readonly records: MetadataRecord[];
  readonly response: T;
}
