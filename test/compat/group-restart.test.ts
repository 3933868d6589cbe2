import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertConsumed } from './helpers/compat-records.js';
import { MemberProcess } from './helpers/member-process.js';
import { kcatProduce, python } from './helpers/run-client.js';

/**
 * Group state that must outlive a process: committed offsets across a broker restart (SIGTERM and
 * SIGKILL, on the same data directory and port), and a static member (group.instance.id, KIP-345)
 * that restarts without the group rebalancing.
 */

const COUNT = 500;
const CF = 'confluent_kafka_compat.py';

const groupConsume = (bootstrap: string, topic: string, group: string) =>
  python(CF, ['group-consume', bootstrap, topic, group, COUNT]);

describe('group state across restarts', () => {
  let broker: BrokerProcess;
  /** The first process owns the data directory that the restarted ones reuse. */
  let first: BrokerProcess;
  const started: MemberProcess[] = [];
  before(async () => {
    first = await BrokerProcess.start({ overrides: { 'group.initial.rebalance.delay.ms': '0' } });
    broker = first;
  });
  after(async () => {
    for (const m of started) m.kill();
    try {
      await broker.stop();
    } finally {
      first.cleanup();
    }
  });

  const restart = async (how: 'SIGTERM' | 'SIGKILL') => {
    if (how === 'SIGTERM') await broker.stop();
    else await broker.kill();
    broker = await BrokerProcess.start({
      logDir: broker.logDir,
      port: broker.port,
      overrides: { 'group.initial.rebalance.delay.ms': '0' },
    });
  };

  for (const how of ['SIGTERM', 'SIGKILL'] as const) {
    test(`committed offsets survive a broker restart after ${how}`, async () => {
      const topic = `restart-${how.toLowerCase()}`;
      const group = `${topic}-group`;
      await kcatProduce(broker.bootstrap, topic, COUNT, 'none');
      assertConsumed(await groupConsume(broker.bootstrap, topic, group), COUNT, {
        headers: true,
        label: 'before the restart',
      });
      await restart(how);
      await kcatProduce(broker.bootstrap, topic, COUNT, 'none');
      assertConsumed(await groupConsume(broker.bootstrap, topic, group), COUNT, {
        headers: true,
        firstOffset: COUNT,
        label: `after ${how}: resumes after the last commit`,
      });
    });
  }

  test('a static member (group.instance.id) restarts without a rebalance of the other member', async () => {
    const topic = 'static-members';
    const group = `${topic}-group`;
    await python('kafka_python_compat.py', ['create', broker.bootstrap, topic, 4]);
    const start = (name: string) => {
      const m = MemberProcess.start('confluent', broker.bootstrap, topic, group, name, `instance-${name[0]}`);
      started.push(m);
      return m;
    };
    const stable = start('a');
    let restarting = start('b');
    const split = () =>
      stable.assignment().length === 2 &&
      restarting.assignment().length === 2 &&
      new Set([...stable.assignment(), ...restarting.assignment()]).size === 4;
    await Promise.all([stable.waitFor('a split', split), restarting.waitFor('a split', split)]);
    const revocations = () => stable.events.filter((e) => e.event === 'revoked').length;
    const before = {
      assignments: stable.assignments(),
      revocations: revocations(),
      partitions: restarting.assignment(),
    };
    await kcatProduce(broker.bootstrap, topic, COUNT, 'none');

    // librdkafka's static members do not send LeaveGroup on close(): the coordinator keeps the
    // instance's place until the session times out, and a new process with the same
    // group.instance.id takes it over with the same assignment.
    await restarting.close();
    assert.ok(!broker.versionsUsedBy('compat-confluent-member-b').has('LeaveGroup'), 'no LeaveGroup');
    restarting = start('b2');
    await restarting.waitForAssignment(2);
    assert.deepEqual(restarting.assignment(), before.partitions, 'same partitions after the restart');

    // The other member keeps consuming through it; a rebalance would have revoked and reassigned.
    await kcatProduce(broker.bootstrap, topic, COUNT, 'none');
    await stable.commit();
    assert.equal(stable.assignments(), before.assignments, 'no new assignment for the other member');
    assert.equal(revocations(), before.revocations, 'nothing revoked from the other member');
    await Promise.all([stable.close(), restarting.close()]);
  });
});
