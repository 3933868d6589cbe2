import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { encodeRequest } from '../../src/protocol/frame.js';
import { API_REGISTRY, ApiKey } from '../../src/protocol/generated/api-registry.js';
import { ApiVersionsResponse, MetadataResponse } from '../../src/protocol/generated/index.js';
import { CaptureBroker } from './capture/capture-broker.js';

/** The capture broker's own contract, checked with our codecs rather than a real client. */

let broker: CaptureBroker;
let socket: Socket;
let received = Buffer.alloc(0);

before(async () => {
  broker = await CaptureBroker.start({ partitionsPerTopic: 3 });
  socket = connect(broker.port, '127.0.0.1');
  socket.on('data', (d: Buffer) => {
    received = Buffer.concat([received, d]);
  });
  await once(socket, 'connect');
});

after(async () => {
  socket.destroy();
  await broker.stop();
});

/** Waits for the next response frame; returns its correlation id and the bytes after it. */
async function nextResponse(): Promise<{ correlationId: number; rest: Buffer }> {
  while (received.length < 4 || received.length < 4 + received.readInt32BE(0)) await once(socket, 'data');
  const size = received.readInt32BE(0);
  const frame = received.subarray(4, 4 + size);
  received = received.subarray(4 + size);
  return { correlationId: frame.readInt32BE(0), rest: frame.subarray(4) };
}

test('an ApiVersions request newer than supported gets v0 with UNSUPPORTED_VERSION (KIP-511)', async () => {
  const request = Buffer.concat(encodeRequest(ApiKey.ApiVersions, 3, 7, 'probe', {}));
  request.writeInt16BE(99, 6); // the version field, after the size and api key
  socket.write(request);
  const { correlationId, rest } = await nextResponse();
  assert.equal(correlationId, 7);
  const body = ApiVersionsResponse.decode(0, rest);
  assert.equal(body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
  assert.deepEqual(body.apiKeys, [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 4 }]);
  assert.equal(broker.takeFrames()[0]?.apiVersion, 99);
});

test('ApiVersions advertises what the registry supports, capped at Kafka 3.9', async () => {
  socket.write(Buffer.concat(encodeRequest(ApiKey.ApiVersions, 3, 8, 'probe', {})));
  const { correlationId, rest } = await nextResponse();
  assert.equal(correlationId, 8);
  // ApiVersions responses always use header v0: the body follows the correlation id directly.
  const body = ApiVersionsResponse.decode(3, rest);
  assert.equal(body.errorCode, ErrorCode.NONE);
  const max = new Map(body.apiKeys.map((k) => [k.apiKey, k.maxVersion]));
  assert.equal(max.get(ApiKey.Produce), 11);
  assert.equal(max.get(ApiKey.Fetch), 17);
  assert.equal(max.get(ApiKey.Metadata), 12);
  for (const k of body.apiKeys) {
    const api = API_REGISTRY.get(k.apiKey)!;
    assert.ok(k.minVersion >= api.minVersion && k.maxVersion <= api.maxVersion, api.name);
  }
});

test('Produce with acks=0 gets no response; the next request is answered in turn', async () => {
  socket.write(
    Buffer.concat(
      encodeRequest(ApiKey.Produce, 3, 9, 'probe', {
        acks: 0,
        topicData: [{ name: 'fire-and-forget', partitionData: [{ index: 0, records: null }] }],
      }),
    ),
  );
  socket.write(
    Buffer.concat(encodeRequest(ApiKey.Metadata, 12, 10, 'probe', { topics: [{ name: 'fire-and-forget' }] })),
  );
  const { correlationId, rest } = await nextResponse();
  assert.equal(correlationId, 10);
  // Metadata v12 is flexible: response header v1 adds an empty tagged-field section.
  assert.equal(rest[0], 0);
  const meta = MetadataResponse.decode(12, rest.subarray(1));
  assert.deepEqual(meta.brokers, [
    { nodeId: broker.state.nodeId, host: '127.0.0.1', port: broker.port, rack: null },
  ]);
  assert.equal(meta.topics[0]?.name, 'fire-and-forget');
  assert.equal(meta.topics[0]?.partitions.length, 3);
  assert.equal(meta.topics[0]?.topicId, broker.state.topic('fire-and-forget').topicId);
});
