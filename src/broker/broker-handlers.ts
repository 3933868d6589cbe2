import type { ApiHandler } from './api-handler.js';
import type { BrokerServices } from './broker-services.js';
import { forwardToController } from './cluster/forwarding.js';
import { addOffsetsToTxnHandler } from './handlers/add-offsets-to-txn.js';
import { addPartitionsToTxnHandler } from './handlers/add-partitions-to-txn.js';
import { allocateProducerIdsHandler } from './handlers/allocate-producer-ids.js';
import { alterConfigsHandler, incrementalAlterConfigsHandler } from './handlers/alter-configs.js';
import { alterPartitionHandler } from './handlers/alter-partition.js';
import { apiVersionsHandler } from './handlers/api-versions.js';
import { alterClientQuotasHandler, describeClientQuotasHandler } from './handlers/client-quotas.js';
import { controlledShutdownHandler } from './handlers/controlled-shutdown.js';
import { createAclsHandler } from './handlers/create-acls.js';
import { createPartitionsHandler } from './handlers/create-partitions.js';
import { createTopicsHandler } from './handlers/create-topics.js';
import { deleteAclsHandler } from './handlers/delete-acls.js';
import { deleteGroupsHandler } from './handlers/delete-groups.js';
import { deleteRecordsHandler } from './handlers/delete-records.js';
import { deleteTopicsHandler } from './handlers/delete-topics.js';
import { describeAclsHandler } from './handlers/describe-acls.js';
import { describeClusterHandler } from './handlers/describe-cluster.js';
import { describeConfigsHandler } from './handlers/describe-configs.js';
import { describeGroupsHandler } from './handlers/describe-groups.js';
import { describeLogDirsHandler } from './handlers/describe-log-dirs.js';
import { describeProducersHandler } from './handlers/describe-producers.js';
import { describeTransactionsHandler } from './handlers/describe-transactions.js';
import { electLeadersHandler } from './handlers/elect-leaders.js';
import { endTxnHandler } from './handlers/end-txn.js';
import { envelopeHandler } from './handlers/envelope.js';
import { fetchHandler } from './handlers/fetch.js';
import { findCoordinatorHandler } from './handlers/find-coordinator.js';
import { heartbeatHandler } from './handlers/heartbeat.js';
import { initProducerIdHandler } from './handlers/init-producer-id.js';
import { joinGroupHandler } from './handlers/join-group.js';
import { leaveGroupHandler } from './handlers/leave-group.js';
import { listGroupsHandler } from './handlers/list-groups.js';
import { listOffsetsHandler } from './handlers/list-offsets.js';
import { listTransactionsHandler } from './handlers/list-transactions.js';
import { metadataHandler } from './handlers/metadata.js';
import { offsetCommitHandler } from './handlers/offset-commit.js';
import { offsetDeleteHandler } from './handlers/offset-delete.js';
import { offsetFetchHandler } from './handlers/offset-fetch.js';
import { offsetForLeaderEpochHandler } from './handlers/offset-for-leader-epoch.js';
import { produceHandler } from './handlers/produce.js';
import { saslAuthenticateHandler } from './handlers/sasl-authenticate.js';
import { saslHandshakeHandler } from './handlers/sasl-handshake.js';
import { syncGroupHandler } from './handlers/sync-group.js';
import { txnOffsetCommitHandler } from './handlers/txn-offset-commit.js';
import {
  alterUserScramCredentialsHandler,
  describeUserScramCredentialsHandler,
} from './handlers/user-scram-credentials.js';
import { writeTxnMarkersHandler } from './handlers/write-txn-markers.js';
import { saslListeners } from './security/listener-security.js';
import { SaslAuthenticator } from './security/sasl/sasl-authenticator.js';

/**
 * Every API the broker serves. ApiVersions advertises exactly this list: an API missing here is
 * not advertised, and a request for it closes the connection.
 */
export function brokerHandlers(
  s: BrokerServices,
  supported: () => { apiKey: number; minVersion: number; maxVersion: number }[],
  sasl: SaslAuthenticator = saslAuthenticator(s),
): ApiHandler[] {
  const forwarding = {
    mustForward: () => s.forwarding.mustForward(),
    channel: () => s.forwarding.channel(),
    catchUp: () => s.forwarding.catchUp(),
  };
  const local: ApiHandler[] = [
    apiVersionsHandler(supported),
    produceHandler(s),
    fetchHandler(s),
    listOffsetsHandler(s),
    metadataHandler(s),
    offsetForLeaderEpochHandler(s),
    createTopicsHandler(s),
    deleteTopicsHandler(s),
    createPartitionsHandler(s),
    deleteRecordsHandler(s),
    describeConfigsHandler(s),
    alterConfigsHandler(s),
    incrementalAlterConfigsHandler(s),
    describeClusterHandler(s),
    describeLogDirsHandler(s),
    describeProducersHandler(s),
    findCoordinatorHandler(s),
    joinGroupHandler(s),
    syncGroupHandler(s),
    heartbeatHandler(s),
    leaveGroupHandler(s),
    offsetCommitHandler(s),
    offsetFetchHandler(s),
    offsetDeleteHandler(s),
    listGroupsHandler(s),
    describeGroupsHandler(s),
    deleteGroupsHandler(s),
    initProducerIdHandler(s),
    addPartitionsToTxnHandler(s),
    addOffsetsToTxnHandler(s),
    endTxnHandler(s),
    writeTxnMarkersHandler(s),
    txnOffsetCommitHandler(s),
    describeTransactionsHandler(s),
    listTransactionsHandler(s),
    saslHandshakeHandler(sasl),
    saslAuthenticateHandler(sasl),
    describeUserScramCredentialsHandler(s),
    alterUserScramCredentialsHandler(s),
    allocateProducerIdsHandler(s),
    alterPartitionHandler(s),
    controlledShutdownHandler(s),
    electLeadersHandler(s),
    describeAclsHandler(s),
    createAclsHandler(s),
    deleteAclsHandler(s),
    describeClientQuotasHandler(s),
    alterClientQuotasHandler(s),
  ];
  // The controller runs a forwarded request through the handler itself, never forwarding it again.
  const byKey = new Map(local.map((h) => [h.apiKey, h]));
  return [...local.map((h) => forwardToController(h, forwarding)), envelopeHandler(s, (k) => byKey.get(k))];
}

/** The broker's SASL side, over its SASL listeners and the SCRAM credentials of the metadata image. */
export function saslAuthenticator(s: BrokerServices): SaslAuthenticator {
  return new SaslAuthenticator(() => ({
    listeners: saslListeners(s.config),
    image: () => s.metadata.image,
    failureDelayMs: s.config.get('connection.failed.authentication.delay.ms'),
    maxReauthMs: (listenerName) => s.config.listenerValue(listenerName, 'connections.max.reauth.ms'),
  }));
}
