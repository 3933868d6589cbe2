import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addressBytes,
  addressString,
  decodePrincipal,
  encodePrincipal,
} from '../../../src/broker/cluster/forwarding.js';
import { startBroker } from '../../../src/broker/start-broker.js';
import { encodeRequest } from '../../../src/protocol/frame.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import { RawClient } from '../../helpers/raw-client.js';

describe('forwarding to the controller (Envelope, KIP-590)', () => {
  it('carries the principal as Kafka serializes it and the client address as its IP bytes', () => {
    const bytes = encodePrincipal('User:alice');
    assert.equal(bytes.readInt16BE(0), 0, 'version prefix of DefaultPrincipalData');
    assert.equal(decodePrincipal(bytes), 'User:alice');
    assert.equal(decodePrincipal(encodePrincipal('User:CN=a:b,O=c')), 'User:CN=a:b,O=c');
    assert.equal(decodePrincipal(null), 'User:ANONYMOUS');
    assert.deepEqual([...addressBytes('10.1.2.3:5555')], [10, 1, 2, 3]);
    assert.equal(addressString(addressBytes('::ffff:127.0.0.1:80')), '127.0.0.1');
    assert.equal(addressBytes('::1:9092').length, 16);
    assert.equal(addressString(addressBytes('fe80::1:2:9092')), 'fe80:0:0:0:0:0:1:2');
  });

  it('closes a connection that sends an Envelope on a listener other than the inter-broker one', async () => {
    const b = await startBroker({
      config: {
        listeners: 'PLAINTEXT://127.0.0.1:0,CLIENT://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CLIENT:PLAINTEXT',
      },
    });
    try {
      const client = b.broker.listeners.find((l) => l.name === 'CLIENT')!;
      const c = await RawClient.open(`127.0.0.1:${client.boundPort}`);
      c.write(
        encodeRequest(ApiKey.Envelope, 0, 1, 'intruder', {
          requestData: Buffer.alloc(0),
          requestPrincipal: encodePrincipal('User:admin'),
          clientHostAddress: Buffer.from([127, 0, 0, 1]),
        }),
      );
      assert.equal(await c.readFrame(5000), null, 'closed without an answer');
      c.close();
    } finally {
      await b.close();
    }
  });
});
