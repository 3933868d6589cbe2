import { AddOffsetsToTxnRequest } from '../../protocol/generated/messages/add-offsets-to-txn-request.js';
import { AddOffsetsToTxnResponse } from '../../protocol/generated/messages/add-offsets-to-txn-response.js';
import { AddPartitionsToTxnRequest } from '../../protocol/generated/messages/add-partitions-to-txn-request.js';
import { AddPartitionsToTxnResponse } from '../../protocol/generated/messages/add-partitions-to-txn-response.js';
import { AlterClientQuotasRequest } from '../../protocol/generated/messages/alter-client-quotas-request.js';
import { AlterClientQuotasResponse } from '../../protocol/generated/messages/alter-client-quotas-response.js';
import { AlterUserScramCredentialsRequest } from '../../protocol/generated/messages/alter-user-scram-credentials-request.js';
import { AlterUserScramCredentialsResponse } from '../../protocol/generated/messages/alter-user-scram-credentials-response.js';
import { ApiVersionsRequest } from '../../protocol/generated/messages/api-versions-request.js';
import { ApiVersionsResponse } from '../../protocol/generated/messages/api-versions-response.js';
import { CreateAclsRequest } from '../../protocol/generated/messages/create-acls-request.js';
import { CreateAclsResponse } from '../../protocol/generated/messages/create-acls-response.js';
import { CreatePartitionsRequest } from '../../protocol/generated/messages/create-partitions-request.js';
import { CreatePartitionsResponse } from '../../protocol/generated/messages/create-partitions-response.js';
import { CreateTopicsRequest } from '../../protocol/generated/messages/create-topics-request.js';
import { CreateTopicsResponse } from '../../protocol/generated/messages/create-topics-response.js';
import { DeleteAclsRequest } from '../../protocol/generated/messages/delete-acls-request.js';
import { DeleteAclsResponse } from '../../protocol/generated/messages/delete-acls-response.js';
import { DeleteGroupsRequest } from '../../protocol/generated/messages/delete-groups-request.js';
import { DeleteGroupsResponse } from '../../protocol/generated/messages/delete-groups-response.js';
import { DeleteRecordsRequest } from '../../protocol/generated/messages/delete-records-request.js';
import { DeleteRecordsResponse } from '../../protocol/generated/messages/delete-records-response.js';
import { DeleteTopicsRequest } from '../../protocol/generated/messages/delete-topics-request.js';
import { DeleteTopicsResponse } from '../../protocol/generated/messages/delete-topics-response.js';
import { DescribeAclsRequest } from '../../protocol/generated/messages/describe-acls-request.js';
import { DescribeAclsResponse } from '../../protocol/generated/messages/describe-acls-response.js';
import { DescribeClientQuotasRequest } from '../../protocol/generated/messages/describe-client-quotas-request.js';
import { DescribeClientQuotasResponse } from '../../protocol/generated/messages/describe-client-quotas-response.js';
import { DescribeClusterRequest } from '../../protocol/generated/messages/describe-cluster-request.js';
import { DescribeClusterResponse } from '../../protocol/generated/messages/describe-cluster-response.js';
import { DescribeConfigsRequest } from '../../protocol/generated/messages/describe-configs-request.js';
import { DescribeConfigsResponse } from '../../protocol/generated/messages/describe-configs-response.js';
import { DescribeGroupsRequest } from '../../protocol/generated/messages/describe-groups-request.js';
import { DescribeGroupsResponse } from '../../protocol/generated/messages/describe-groups-response.js';
import { DescribeProducersRequest } from '../../protocol/generated/messages/describe-producers-request.js';
import { DescribeProducersResponse } from '../../protocol/generated/messages/describe-producers-response.js';
import { DescribeTransactionsRequest } from '../../protocol/generated/messages/describe-transactions-request.js';
import { DescribeTransactionsResponse } from '../../protocol/generated/messages/describe-transactions-response.js';
import { DescribeUserScramCredentialsRequest } from '../../protocol/generated/messages/describe-user-scram-credentials-request.js';
import { DescribeUserScramCredentialsResponse } from '../../protocol/generated/messages/describe-user-scram-credentials-response.js';
import { ElectLeadersRequest } from '../../protocol/generated/messages/elect-leaders-request.js';
import { ElectLeadersResponse } from '../../protocol/generated/messages/elect-leaders-response.js';
import { EndTxnRequest } from '../../protocol/generated/messages/end-txn-request.js';
import { EndTxnResponse } from '../../protocol/generated/messages/end-txn-response.js';
import { FetchRequest } from '../../protocol/generated/messages/fetch-request.js';
import { FetchResponse } from '../../protocol/generated/messages/fetch-response.js';
import { FindCoordinatorRequest } from '../../protocol/generated/messages/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../../protocol/generated/messages/find-coordinator-response.js';
import { HeartbeatRequest } from '../../protocol/generated/messages/heartbeat-request.js';
import { HeartbeatResponse } from '../../protocol/generated/messages/heartbeat-response.js';
import { IncrementalAlterConfigsRequest } from '../../protocol/generated/messages/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../../protocol/generated/messages/incremental-alter-configs-response.js';
import { InitProducerIdRequest } from '../../protocol/generated/messages/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../protocol/generated/messages/init-producer-id-response.js';
import { JoinGroupRequest } from '../../protocol/generated/messages/join-group-request.js';
import { JoinGroupResponse } from '../../protocol/generated/messages/join-group-response.js';
import { LeaveGroupRequest } from '../../protocol/generated/messages/leave-group-request.js';
import { LeaveGroupResponse } from '../../protocol/generated/messages/leave-group-response.js';
import { ListGroupsRequest } from '../../protocol/generated/messages/list-groups-request.js';
import { ListGroupsResponse } from '../../protocol/generated/messages/list-groups-response.js';
import { ListOffsetsRequest } from '../../protocol/generated/messages/list-offsets-request.js';
import { ListOffsetsResponse } from '../../protocol/generated/messages/list-offsets-response.js';
import { ListTransactionsRequest } from '../../protocol/generated/messages/list-transactions-request.js';
import { ListTransactionsResponse } from '../../protocol/generated/messages/list-transactions-response.js';
import { MetadataRequest } from '../../protocol/generated/messages/metadata-request.js';
import { MetadataResponse } from '../../protocol/generated/messages/metadata-response.js';
import { OffsetCommitRequest } from '../../protocol/generated/messages/offset-commit-request.js';
import { OffsetCommitResponse } from '../../protocol/generated/messages/offset-commit-response.js';
import { OffsetDeleteRequest } from '../../protocol/generated/messages/offset-delete-request.js';
import { OffsetDeleteResponse } from '../../protocol/generated/messages/offset-delete-response.js';
import { OffsetFetchRequest } from '../../protocol/generated/messages/offset-fetch-request.js';
import { OffsetFetchResponse } from '../../protocol/generated/messages/offset-fetch-response.js';
import { ProduceRequest } from '../../protocol/generated/messages/produce-request.js';
import { ProduceResponse } from '../../protocol/generated/messages/produce-response.js';
import { SyncGroupRequest } from '../../protocol/generated/messages/sync-group-request.js';
import { SyncGroupResponse } from '../../protocol/generated/messages/sync-group-response.js';
import { TxnOffsetCommitRequest } from '../../protocol/generated/messages/txn-offset-commit-request.js';
import { TxnOffsetCommitResponse } from '../../protocol/generated/messages/txn-offset-commit-response.js';
import { WriteTxnMarkersRequest } from '../../protocol/generated/messages/write-txn-markers-request.js';
import { WriteTxnMarkersResponse } from '../../protocol/generated/messages/write-txn-markers-response.js';
import type { MessageCodec } from '../../protocol/message-codec.js';

/** An API the client calls: its key and codecs, which type requests and responses end to end. */
export interface ClientApi<Req, Res> {
  readonly apiKey: number;
  readonly name: string;
  readonly request: MessageCodec<Req>;
  readonly response: MessageCodec<Res>;
}

function api<Req, Res>(request: MessageCodec<Req>, response: MessageCodec<Res>): ClientApi<Req, Res> {
  return { apiKey: request.apiKey, name: request.name.replace(/Request$/, ''), request, response };
}

/** The APIs the producer, consumer and admin use. */
export const Apis = {
  Produce: api(ProduceRequest, ProduceResponse),
  InitProducerId: api(InitProducerIdRequest, InitProducerIdResponse),
  Fetch: api(FetchRequest, FetchResponse),
  ListOffsets: api(ListOffsetsRequest, ListOffsetsResponse),
  Metadata: api(MetadataRequest, MetadataResponse),
  OffsetCommit: api(OffsetCommitRequest, OffsetCommitResponse),
  OffsetFetch: api(OffsetFetchRequest, OffsetFetchResponse),
  FindCoordinator: api(FindCoordinatorRequest, FindCoordinatorResponse),
  JoinGroup: api(JoinGroupRequest, JoinGroupResponse),
  Heartbeat: api(HeartbeatRequest, HeartbeatResponse),
  LeaveGroup: api(LeaveGroupRequest, LeaveGroupResponse),
  SyncGroup: api(SyncGroupRequest, SyncGroupResponse),
  DescribeGroups: api(DescribeGroupsRequest, DescribeGroupsResponse),
  ListGroups: api(ListGroupsRequest, ListGroupsResponse),
  ApiVersions: api(ApiVersionsRequest, ApiVersionsResponse),
  CreateTopics: api(CreateTopicsRequest, CreateTopicsResponse),
  DeleteTopics: api(DeleteTopicsRequest, DeleteTopicsResponse),
  DeleteRecords: api(DeleteRecordsRequest, DeleteRecordsResponse),
  DescribeConfigs: api(DescribeConfigsRequest, DescribeConfigsResponse),
  CreatePartitions: api(CreatePartitionsRequest, CreatePartitionsResponse),
  ElectLeaders: api(ElectLeadersRequest, ElectLeadersResponse),
  DeleteGroups: api(DeleteGroupsRequest, DeleteGroupsResponse),
  IncrementalAlterConfigs: api(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse),
  DescribeCluster: api(DescribeClusterRequest, DescribeClusterResponse),
  OffsetDelete: api(OffsetDeleteRequest, OffsetDeleteResponse),
  DescribeUserScramCredentials: api(
    DescribeUserScramCredentialsRequest,
    DescribeUserScramCredentialsResponse,
  ),
  AlterUserScramCredentials: api(AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse),
  DescribeClientQuotas: api(DescribeClientQuotasRequest, DescribeClientQuotasResponse),
  AlterClientQuotas: api(AlterClientQuotasRequest, AlterClientQuotasResponse),
  AddPartitionsToTxn: api(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse),
  AddOffsetsToTxn: api(AddOffsetsToTxnRequest, AddOffsetsToTxnResponse),
  EndTxn: api(EndTxnRequest, EndTxnResponse),
  TxnOffsetCommit: api(TxnOffsetCommitRequest, TxnOffsetCommitResponse),
  WriteTxnMarkers: api(WriteTxnMarkersRequest, WriteTxnMarkersResponse),
  DescribeProducers: api(DescribeProducersRequest, DescribeProducersResponse),
  DescribeTransactions: api(DescribeTransactionsRequest, DescribeTransactionsResponse),
  ListTransactions: api(ListTransactionsRequest, ListTransactionsResponse),
  DescribeAcls: api(DescribeAclsRequest, DescribeAclsResponse),
  CreateAcls: api(CreateAclsRequest, CreateAclsResponse),
  DeleteAcls: api(DeleteAclsRequest, DeleteAclsResponse),
} as const;
