import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  InterBrokerAuthenticationError,
  InterBrokerClient,
} from '../../../src/broker/cluster/inter-broker-client.js';
import type { InterBrokerSecurity } from '../../../src/broker/security/inter-broker-security.js';
import { Kafka, type KafkaConfig } from '../../../src/client/index.js';
import { noopLogger } from '../../../src/common/logger.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import {
  type ClusterBroker,
  startCluster,
  type TestCluster,
  waitUntil,
} from '../../helpers/cluster-processes.js';
import { makeTestCertificates, type TestCertificates } from '../../helpers/test-certificates.js';

const PLAIN_USERS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret" user_admin="admin-secret" user_alice="alice-secret";';

/**
 * Three broker processes whose only listener is SASL_SSL, which is also the inter-broker listener
 * (PLAIN as `broker`, the only super user besides `admin`), with ACLs enforced and no ACL
 * granting anything: requests forwarded to the controller, producer id blocks and transaction
 * markers all travel between brokers over TLS with SASL, and each broker authorizes the other as
 * a super user while the forwarded request keeps its client's principal.
 */
describe('a cluster whose brokers talk to each other over SASL_SSL only', () => {
  let certs: TestCertificates;
  let cluster: TestCluster;
  const clients: InterBrokerClient[] = [];

  /** Raw requests to one broker of our choice, as `user` over TLS. */
  const rawClient = (sasl: InterBrokerSecurity['sasl']): InterBrokerClient => {
    const c = new InterBrokerClient('sasl-ssl-test', noopLogger, {
      securityProtocol: 'SASL_SSL',
      tls: { ca: certs.caPem },
      sasl,
    });
    clients.push(c);
    return c;
  };
  const addressOf = (b: ClusterBroker) => {
    const [host, port] = b.bootstrap.split(':');
    return { host: host!, port: Number(port) };
  };
  const kafka = (extra: Partial<KafkaConfig> = {}) =>
    new Kafka({
      bootstrapServers: cluster.bootstrapServers,
      clientId: 'sasl-ssl-cluster',
      ssl: { ca: certs.caPem },
      sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' },
      ...extra,
    });

  before(async () => {
    certs = makeTestCertificates();
    cluster = await startCluster({
      listener: 'SASL_SSL',
      ready: 'listening',
      overrides: {
        'inter.broker.listener.name': 'SASL_SSL',
        'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-512',
        'sasl.mechanism.inter.broker.protocol': 'PLAIN',
        'listener.name.sasl_ssl.plain.sasl.jaas.config': PLAIN_USERS,
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': certs.serverPemFile,
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': certs.caFile,
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': 'User:broker;User:admin',
        'connection.failed.authentication.delay.ms': '10',
        'offsets.topic.num.partitions': '3',
        'transaction.state.log.num.partitions': '3',
      },
    });
    const admin = rawClient({ mechanism: 'PLAIN', username: 'admin', password: 'admin-secret' });
    await waitUntil(
      'every broker to list three brokers and a controller',
      async () => {
        for (const b of cluster.brokers) {
          const dc = await admin
            .send(
              addressOf(b),
              ApiKey.DescribeCluster,
              1,
              { includeClusterAuthorizedOperations: false, endpointType: 1 },
              5000,
            )
            .catch(() => null);
          if (dc === null || dc.errorCode !== 0 || dc.brokers.length !== 3 || dc.controllerId < 0)
            return false;
        }
        return true;
      },
      20_000,
      () => cluster.brokers.map((b) => b.output().slice(-2000)).join('\n'),
    );
  });

  after(async () => {
    for (const c of clients) c.close();
    await cluster?.close();
    certs?.remove();
  });

  async function nonController(): Promise<ClusterBroker> {
    const admin = rawClient({ mechanism: 'PLAIN', username: 'admin', password: 'admin-secret' });
    const dc = await admin.send(
      addressOf(cluster.brokers[0]!),
      ApiKey.DescribeCluster,
      1,
      { includeClusterAuthorizedOperations: false, endpointType: 1 },
      5000,
    );
    return cluster.brokers.find((b) => b.nodeId !== dc.controllerId)!;
  }

  const createTopic = (client: InterBrokerClient, broker: ClusterBroker, name: string) =>
    client.send(
      addressOf(broker),
      ApiKey.CreateTopics,
      7,
      { topics: [{ name, numPartitions: 3, replicationFactor: 1 }], timeoutMs: 10_000 },
      15_000,
    );

  it("forwards a request to the controller with its client's principal, which the controller authorizes", async () => {
    const broker = await nonController();
    const admin = rawClient({ mechanism: 'PLAIN', username: 'admin', password: 'admin-secret' });
    const created = await createTopic(admin, broker, 'spread');
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE, created.topics[0]!.errorMessage ?? '');
    // alice is authenticated on every broker but allowed nothing: the controller refuses her
    // forwarded request although the broker that forwards it is a super user.
    const alice = rawClient({ mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' });
    const refused = await createTopic(alice, broker, 'not-hers');
    assert.equal(refused.topics[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    for (const b of cluster.brokers)
      assert.doesNotMatch(b.output(), /refused this broker on the inter-broker listener/);
  });

  it('authenticates a SCRAM user created through a broker that is not the controller on every broker', async () => {
    const broker = await nonController();
    const admin = rawClient({ mechanism: 'PLAIN', username: 'admin', password: 'admin-secret' });
    const res = await admin.send(
      addressOf(broker),
      ApiKey.AlterUserScramCredentials,
      0,
      {
        deletions: [],
        upsertions: [
          {
            name: 'bob',
            mechanism: 2,
            iterations: 4096,
            salt: Buffer.from('bob-salt'),
            // PBKDF2-HMAC-SHA512 of bob-secret, as the client would send it.
            saltedPassword: pbkdf2Sync('bob-secret', 'bob-salt', 4096, 64, 'sha512'),
          },
        ],
      },
      15_000,
    );
    assert.deepEqual(
      res.results.map((r) => [r.user, r.errorCode]),
      [['bob', ErrorCode.NONE]],
    );
    for (const b of cluster.brokers) {
      await waitUntil(
        `bob authenticated by broker ${b.nodeId}`,
        async () => {
          const bob = rawClient({ mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'bob-secret' });
          try {
            await bob.send(
              addressOf(b),
              ApiKey.ApiVersions,
              3,
              { clientSoftwareName: 't', clientSoftwareVersion: '1' },
              5000,
            );
            return true;
          } catch (err) {
            if (err instanceof InterBrokerAuthenticationError) return false;
            throw err;
          } finally {
            bob.close();
          }
        },
        10_000,
      );
    }
  });

  it('commits a transaction over partitions led by every broker (producer ids and markers between brokers)', async () => {
    const k = kafka();
    const producer = k.producer({ transactionalId: 'over-sasl-ssl' });
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.sendBatch(
      'spread',
      [0, 1, 2].map((partition) => ({ key: null, value: `aborted-${partition}`, partition })),
    );
    await producer.abortTransaction();
    producer.beginTransaction();
    await producer.sendBatch(
      'spread',
      [0, 1, 2].map((partition) => ({ key: null, value: `committed-${partition}`, partition })),
    );
    await producer.commitTransaction();
    await producer.close();

    const admin = k.admin();
    const [spread] = await admin.describeTopics(['spread']);
    await admin.close();
    const leaders = new Set(spread!.partitions.map((p) => p.leader));
    assert.equal(leaders.size, 3, 'the partitions are led by the three brokers');
    const consumer = k.consumer({ isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
    consumer.assign([0, 1, 2].map((partition) => ({ topic: 'spread', partition })));
    const seen: string[] = [];
    const deadline = Date.now() + 20_000;
    while (seen.length < 3 && Date.now() < deadline) {
      for (const r of await consumer.poll({ timeoutMs: 500 })) seen.push(r.value!.toString());
    }
    await consumer.close();
    assert.deepEqual(seen.sort(), ['committed-0', 'committed-1', 'committed-2']);
  });
});
