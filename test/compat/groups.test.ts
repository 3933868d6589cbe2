import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertConsumed } from './helpers/compat-records.js';
import {
  KAFKAJS_CLIENT_ID,
  kafkajsGroupConsume,
  PLATFORMATIC_CLIENT_ID,
  platformaticGroupConsume,
} from './helpers/js-clients.js';
import { kcat, kcatProduce, python } from './helpers/run-client.js';

/**
 * Consumer groups with each client's own group consumer (FindCoordinator, JoinGroup, SyncGroup,
 * Heartbeat, OffsetCommit, OffsetFetch, LeaveGroup): a first member reads from the earliest offset
 * and commits, a later member of the same group resumes exactly after the commit. Records are
 * produced by kcat with gzip, the one codec kafkajs reads without plugins.
 */

const COUNT = 1000;

type GroupReader = (bootstrap: string, topic: string, group: string, count: number) => Promise<string>;

const readers: Record<string, GroupReader> = {
  'confluent-kafka-python': (b, t, g, n) =>
    python('confluent_kafka_compat.py', ['group-consume', b, t, g, n]),
  'kafka-python': (b, t, g, n) => python('kafka_python_compat.py', ['group-consume', b, t, g, n]),
  kafkajs: kafkajsGroupConsume,
  '@platformatic/kafka': platformaticGroupConsume,
  // kcat -G: a balanced consumer that commits automatically, and on close.
  kcat: (b, t, g, n) =>
    kcat(b, [
      '-X',
      'client.id=compat-kcat-group',
      '-X',
      'auto.offset.reset=earliest',
      '-G',
      g,
      t,
      '-c',
      String(n),
      '-q',
      '-Z',
      '-f',
      '%o\t%k\t%s\t%h\n',
    ]),
};

describe('consumer groups', () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await BrokerProcess.start({ overrides: { 'group.initial.rebalance.delay.ms': '0' } });
  });
  after(async () => {
    await broker.close();
  });

  for (const [name, read] of Object.entries(readers)) {
    test(`${name}: reads from the earliest offset, commits, and a new member resumes after the commit`, async () => {
      const topic = `group-${name.replace(/[^a-z]/g, '')}`;
      const group = `${topic}-members`;
      await kcatProduce(broker.bootstrap, topic, COUNT, 'gzip');
      assertConsumed(await read(broker.bootstrap, topic, group, COUNT), COUNT, {
        headers: true,
        label: `${name}, first member`,
      });
      await kcatProduce(broker.bootstrap, topic, COUNT, 'gzip');
      assertConsumed(await read(broker.bootstrap, topic, group, COUNT), COUNT, {
        headers: true,
        firstOffset: COUNT,
        label: `${name}, resuming member`,
      });
    });
  }

  test('offsets committed by kafka-python are where confluent-kafka-python resumes', async () => {
    await kcatProduce(broker.bootstrap, 'group-cross', COUNT, 'none');
    await readers['kafka-python']!(broker.bootstrap, 'group-cross', 'group-cross-members', COUNT);
    await kcatProduce(broker.bootstrap, 'group-cross', COUNT, 'none');
    const out = await readers['confluent-kafka-python']!(
      broker.bootstrap,
      'group-cross',
      'group-cross-members',
      COUNT,
    );
    assertConsumed(out, COUNT, { headers: true, firstOffset: COUNT, label: 'confluent after kafka-python' });
  });

  test('negotiated group API versions', (t) => {
    for (const prefix of [
      'compat-confluent',
      'compat-kafka-python',
      KAFKAJS_CLIENT_ID,
      PLATFORMATIC_CLIENT_ID,
      'compat-kcat-group',
    ]) {
      t.diagnostic(`${prefix}: ${broker.describeVersions(prefix)}`);
      const used = broker.versionsUsedBy(prefix);
      for (const api of ['FindCoordinator', 'JoinGroup', 'SyncGroup', 'OffsetFetch', 'OffsetCommit']) {
        assert.ok(used.has(api), `${prefix} sent ${api}`);
      }
    }
  });
});
