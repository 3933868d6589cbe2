// Strom's Kafka client: `import { Kafka } from 'strom/client'`.

export type { LogFields, Logger } from '../common/logger.js';
export type {
  AclBinding,
  AclBindingFilter,
  AclCreationResult,
  AclDeletionResult,
  AclOperationName,
  AclPatternTypeName,
  AclPermissionTypeName,
  AclResourceTypeName,
} from './admin/acl-admin.js';
export {
  Admin,
  type AdminOptions,
  type AlterConfigOp,
  type ClusterDescription,
  type ConfigAlteration,
  type ConfigEntry,
  type ConfigResource,
  type NewTopic,
  type OffsetTimestamp,
} from './admin/admin.js';
export type { GroupDescription, GroupListing, GroupOffset } from './admin/group-admin.js';
export type {
  ClientQuotaAlteration,
  ClientQuotaAlterationResult,
  ClientQuotaDescription,
  ClientQuotaEntity,
  ClientQuotaFilter,
  ClientQuotaFilterComponent,
} from './admin/quota-admin.js';
export type {
  ScramAlteration,
  ScramMechanismName,
  ScramUserDescription,
  ScramUserResult,
} from './admin/scram-admin.js';
export type {
  AbortTransactionSpec,
  ListTransactionsOptions,
  PartitionProducers,
  ProducerState,
  TransactionDescription,
  TransactionListing,
} from './admin/transaction-admin.js';
export { ClientError, type ClientErrorCode, KafkaError } from './client-error.js';
export type { Assignor, MemberSubscription } from './consumer/assignors/assignor.js';
export { rangeAssignor } from './consumer/assignors/range-assignor.js';
export { roundRobinAssignor } from './consumer/assignors/round-robin-assignor.js';
export { cooperativeStickyAssignor, stickyAssignor } from './consumer/assignors/sticky-assignor.js';
export {
  Consumer,
  type ConsumerConfig,
  type ConsumerRecord,
  type PollOptions,
  type RebalanceListener,
  type TopicPartition,
} from './consumer/consumer.js';
export {
  type GroupJoin,
  GroupMember,
  type GroupMemberHooks,
  type GroupMemberOptions,
  type GroupProtocol,
  type JoinedMember,
} from './group/group-member.js';
export { Kafka, type KafkaConfig } from './kafka.js';
export type { BrokerInfo, PartitionInfo, TopicInfo } from './network/cluster.js';
export type { SaslOptions } from './network/sasl-mechanism.js';
export type { OffsetToCommit } from './operations/group-offsets.js';
export type { OffsetAnswer } from './operations/list-offsets.js';
export { murmur2, toPositive } from './producer/murmur2.js';
export {
  defaultPartitioner,
  murmur2Partition,
  murmur2RandomPartitioner,
  type Partitioner,
  type PartitionerInput,
  type PartitionerName,
  roundRobinPartitioner,
} from './producer/partitioners.js';
export {
  type CompressionName,
  type ConsumerGroupMetadata,
  type DeliveryCallback,
  type HeadersInput,
  Producer,
  type ProducerConfig,
  type ProducerRecord,
  type RecordMetadata,
  type SendOptions,
  type TransactionOffset,
  type TransactionStateName,
} from './producer/producer.js';
