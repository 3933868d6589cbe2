import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokerConfig } from '../../../src/broker/config/broker-config.js';
import { InvalidConfigError } from '../../../src/common/config-def.js';

const cfg = (entries: Record<string, string>) => new BrokerConfig(new Map(Object.entries(entries)));

describe('BrokerConfig', () => {
  it("has Kafka defaults and Strom's local defaults", () => {
    const c = cfg({});
    assert.equal(c.nodeId, 1);
    assert.deepEqual(c.logDirs, ['./strom-data']);
    assert.deepEqual(c.listeners, [
      { name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: 'localhost', port: 9092 },
    ]);
    assert.equal(c.get('num.partitions'), 1);
    assert.equal(c.get('socket.request.max.bytes'), 104857600);
    assert.equal(c.get('auto.create.topics.enable'), true);
    assert.equal(c.topicDefault('retention.ms').value, 168 * 3_600_000);
    assert.equal(c.topicDefault('max.message.bytes').value, 1048588);
  });

  it('resolves topic defaults from the most specific broker synonym', () => {
    assert.deepEqual(cfg({ 'log.retention.hours': '1' }).topicDefault('retention.ms'), {
      value: 3_600_000,
      source: 'log.retention.hours',
    });
    const c = cfg({ 'log.retention.hours': '1', 'log.retention.minutes': '2', 'log.retention.ms': '5' });
    assert.deepEqual(c.topicDefault('retention.ms'), { value: 5, source: 'log.retention.ms' });
    assert.equal(cfg({ 'message.max.bytes': '2000' }).topicDefault('max.message.bytes').value, 2000);
  });

  it('accepts broker.id as the older name of node.id, and advertised listeners', () => {
    const c = cfg({ 'broker.id': '7', 'advertised.listeners': 'PLAINTEXT://example.org:19092' });
    assert.equal(c.nodeId, 7);
    assert.equal(c.advertisedListeners[0]!.host, 'example.org');
  });

  it('warns about unknown keys and rejects invalid values with the key named', () => {
    assert.deepEqual(cfg({ 'no.such.key': 'x' }).warnings, [
      'unknown configuration key no.such.key is ignored',
    ]);
    const bad: Record<string, string>[] = [
      { 'num.partitions': '0' },
      { 'num.partitions': 'many' },
      { 'auto.create.topics.enable': 'yes' },
      { listeners: 'PLAINTEXT://localhost' },
      { listeners: 'SSL://localhost:9093' },
      { listeners: 'SECURE://localhost:9093' },
      { 'log.cleanup.policy': 'shred' },
      { 'node.id': '1', 'broker.id': '2' },
    ];
    for (const entries of bad) {
      assert.throws(() => cfg(entries), InvalidConfigError, JSON.stringify(entries));
    }
  });

  it('takes queued.max.request.bytes only when it is off or at least socket.request.max.bytes, as Kafka', () => {
    const queued = (v: string) =>
      cfg({ 'socket.request.max.bytes': '1048576', 'queued.max.request.bytes': v });
    assert.throws(() => queued('1000'), InvalidConfigError);
    assert.equal(queued('1048576').get('queued.max.request.bytes'), 1048576);
    assert.equal(queued('-1').get('queued.max.request.bytes'), -1);
  });
});

describe('dynamic broker configs', () => {
  it('lets the broker keys that default topic configs change at runtime, and no others', async () => {
    const { isDynamicBrokerConfig } = await import('../../../src/broker/config/broker-config-describer.js');
    for (const k of [
      'log.retention.ms',
      'log.retention.hours',
      'log.roll.ms',
      'log.segment.bytes',
      'message.max.bytes',
    ]) {
      assert.equal(isDynamicBrokerConfig(k), true, k);
    }
    for (const k of ['listeners', 'log.dirs', 'node.id']) assert.equal(isDynamicBrokerConfig(k), false, k);
  });
});
