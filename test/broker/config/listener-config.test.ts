import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokerConfig } from '../../../src/broker/config/broker-config.js';
import { InvalidConfigError } from '../../../src/common/config-def.js';

const cfg = (entries: Record<string, string>) => new BrokerConfig(new Map(Object.entries(entries)));

function refusal(entries: Record<string, string>): string {
  try {
    cfg(entries);
  } catch (err) {
    assert.ok(err instanceof InvalidConfigError, String(err));
    return err.message;
  }
  assert.fail(`accepted ${JSON.stringify(entries)}`);
}

describe('listener configuration', () => {
  it('takes several named listeners, each with its security protocol', () => {
    const c = cfg({
      listeners: 'PLAINTEXT://:9092,SECURE://localhost:9093,sasl_ssl://[::1]:9094',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SECURE:SSL,SASL_SSL:SASL_SSL',
    });
    assert.deepEqual(
      c.listeners.map((l) => [l.name, l.securityProtocol, l.host, l.port]),
      [
        ['PLAINTEXT', 'PLAINTEXT', '', 9092],
        ['SECURE', 'SSL', 'localhost', 9093],
        ['SASL_SSL', 'SASL_SSL', '::1', 9094],
      ],
    );
    assert.equal(c.listenerConfig.interBrokerListenerName, 'PLAINTEXT');
  });

  it("maps each protocol name to itself by default, as Kafka's listener.security.protocol.map", () => {
    const c = cfg({
      listeners: 'SSL://:9093,SASL_PLAINTEXT://:9094',
      'security.inter.broker.protocol': 'SSL',
    });
    assert.deepEqual(
      c.listeners.map((l) => l.securityProtocol),
      ['SSL', 'SASL_PLAINTEXT'],
    );
    assert.equal(c.listenerConfig.interBrokerListenerName, 'SSL');
  });

  it('refuses what KafkaConfig refuses, with its messages', () => {
    assert.match(
      refusal({ listeners: 'SECURE://:9093' }),
      /No security protocol defined for listener SECURE/,
    );
    assert.match(
      refusal({ listeners: 'PLAINTEXT://:9092,PLAINTEXT://:9093' }),
      /Each listener must have a different name/,
    );
    assert.match(
      refusal({ listeners: 'PLAINTEXT://:9092,SSL://:9092' }),
      /Each listener must have a different port/,
    );
    assert.match(
      refusal({ listeners: 'SSL://:9093' }),
      /inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are SSL/,
    );
    assert.match(
      refusal({
        listeners: 'PLAINTEXT://:9092,SSL://:9093',
        'inter.broker.listener.name': 'SSL',
        'security.inter.broker.protocol': 'SSL',
      }),
      /Only one of inter.broker.listener.name and security.inter.broker.protocol should be set/,
    );
    assert.match(
      refusal({ listeners: 'PLAINTEXT://:9092', 'advertised.listeners': 'PLAINTEXT://h:9092,SSL://h:9093' }),
      /advertised.listeners listener names must be equal to or a subset of the ones defined in listeners/,
    );
    assert.match(
      refusal({ listeners: 'PLAINTEXT://:9092', 'advertised.listeners': 'PLAINTEXT://0.0.0.0:9092' }),
      /nonroutable meta-address 0.0.0.0/,
    );
    assert.match(refusal({ 'listener.security.protocol.map': 'PLAINTEXT:TLS' }), /SecurityProtocol.TLS/);
  });

  it('advertises a subset of the listeners and names the inter-broker one', () => {
    const c = cfg({
      listeners: 'INTERNAL://:9092,EXTERNAL://:9093',
      'advertised.listeners': 'INTERNAL://broker1:9092,EXTERNAL://example.org:19093',
      'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL',
      'inter.broker.listener.name': 'internal',
    });
    assert.equal(c.listenerConfig.interBrokerListenerName, 'INTERNAL');
    assert.deepEqual(
      c.advertisedListeners.map((l) => `${l.name}://${l.host}:${l.port}`),
      ['INTERNAL://broker1:9092', 'EXTERNAL://example.org:19093'],
    );
  });

  it('reads listener.name.<name>.<key> before the broker-wide key, and validates it', () => {
    const c = cfg({
      listeners: 'PLAINTEXT://:9092,SECURE://:9093',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SECURE:SSL',
      'ssl.client.auth': 'requested',
      'listener.name.secure.ssl.client.auth': 'required',
      'listener.name.secure.plain.sasl.jaas.config': 'x required;',
    });
    assert.deepEqual(c.warnings, []);
    assert.equal(c.listenerValue('SECURE', 'ssl.client.auth'), 'required');
    assert.equal(c.listenerValue('PLAINTEXT', 'ssl.client.auth'), 'requested');
    assert.equal(c.listenerRaw('SECURE', 'plain.sasl.jaas.config'), 'x required;');
    assert.equal(c.listenerRaw('PLAINTEXT', 'plain.sasl.jaas.config'), null);
    assert.match(
      refusal({ listeners: 'PLAINTEXT://:9092', 'listener.name.plaintext.ssl.client.auth': 'always' }),
      /listener.name.plaintext.ssl.client.auth/,
    );
    assert.match(
      refusal({ 'listener.name.other.ssl.client.auth': 'none' }),
      /listener OTHER is not in listeners/,
    );
  });
});
