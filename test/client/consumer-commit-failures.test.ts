import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { captureLogger } from '../helpers/capture-logger.js';
import { startTestCluster, type TestCluster, uniqueTopic } from './client-helpers.js';

describe('Consumer auto-commit failures', () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster({ 'group.initial.rebalance.delay.ms': '0' });
  });
  after(() => c.close());

  it('logs an auto commit on close that the coordinator refuses instead of dropping it', async () => {
    const topic = uniqueTopic();
    const producer = c.kafka.producer();
    await producer.send(topic, { value: 'v' });
    await producer.close();
    // A subscribed member keeps the group non-empty, so a commit without a generation is refused
    // with UNKNOWN_MEMBER_ID (Kafka's GroupCoordinator.validateOffsetCommit).
    const member = c.kafka.consumer({ groupId: 'refused-commits', autoOffsetReset: 'earliest' });
    member.subscribe(topic);
    let records = 0;
    for (let i = 0; i < 20 && records === 0; i++) records += (await member.poll({ timeoutMs: 1000 })).length;
    assert.equal(records, 1);

    const logger = captureLogger();
    const { Kafka } = await import('../../src/client/index.js');
    const kafka = new Kafka({ bootstrapServers: c.broker.bootstrap, clientId: 'strom-test', logger });
    const assigned = kafka.consumer({ groupId: 'refused-commits', autoOffsetReset: 'earliest' });
    assigned.assign([{ topic, partition: 0 }]);
    assert.equal((await assigned.poll({ timeoutMs: 10_000 })).length, 1);
    await assigned.close();
    await member.close();
    const failed = logger.lines.filter(
      (l) => l.level === 'warn' && l.msg === 'auto commit before revoking partitions failed',
    );
    assert.equal(failed.length, 1, JSON.stringify(logger.lines.filter((l) => l.level === 'warn')));
    assert.ok(failed[0]!.fields.err instanceof Error);
  });
});
