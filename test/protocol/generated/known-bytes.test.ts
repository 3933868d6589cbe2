import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  API_REGISTRY,
  ApiKey,
  ApiVersionsRequest,
  ApiVersionsResponse,
  ConsumerGroupMemberMetadataValue,
  FetchRequest,
  METADATA_RECORD_TYPES,
  MetadataRequest,
  ProduceRequest,
  RequestHeader,
  SaslAuthenticateRequest,
  TopicRecord,
} from '../../../src/protocol/generated/index.js';
import { ProtocolError } from '../../../src/protocol/primitives/protocol-error.js';

/** Bytes written out by hand from the protocol guide, so the generator is checked against Kafka, not itself. */
function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

function ascii(s: string): string {
  return Buffer.from(s).toString('hex');
}

function protocolError(code: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof ProtocolError, `expected ProtocolError, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  };
}

describe('ApiVersionsRequest v3 (compact strings, tagged fields)', () => {
  const bytes = hex(`06 ${ascii('strom')} 04 ${ascii('0.1')} 00`);

  it('encodes as Kafka does', () => {
    assert.deepEqual(
      ApiVersionsRequest.encode(3, { clientSoftwareName: 'strom', clientSoftwareVersion: '0.1' }),
      bytes,
    );
  });

  it('decodes', () => {
    assert.deepStrictEqual(ApiVersionsRequest.decode(3, bytes), {
      clientSoftwareName: 'strom',
      clientSoftwareVersion: '0.1',
    });
  });

  it('drops the ignorable client software fields in v0-2', () => {
    assert.deepEqual(ApiVersionsRequest.encode(2, { clientSoftwareName: 'strom' }), Buffer.alloc(0));
  });

  it('keeps unknown tagged fields and writes them back in place', () => {
    const withUnknown = hex(`06 ${ascii('strom')} 04 ${ascii('0.1')} 02  05 02 aa bb  07 00`);
    const decoded = ApiVersionsRequest.decode(3, withUnknown);
    assert.deepStrictEqual(decoded.unknownTaggedFields, [
      { tag: 5, data: hex('aabb') },
      { tag: 7, data: Buffer.alloc(0) },
    ]);
    assert.deepEqual(ApiVersionsRequest.encode(3, decoded), withUnknown);
  });

  it('rejects tags out of order and tagged fields running past the message', () => {
    assert.throws(
      () => ApiVersionsRequest.decode(3, hex(`01 01 02 07 00 05 00 00`)),
      protocolError('INVALID_FIELD'),
    );
    assert.throws(
      () => ApiVersionsRequest.decode(3, hex(`01 01 01 05 09 00`)),
      protocolError('LENGTH_TOO_LARGE'),
    );
  });
});

describe('ApiVersionsResponse tagged fields', () => {
  it('writes SupportedFeatures as tag 0 and FinalizedFeaturesEpoch as tag 1, sorted, with sizes', () => {
    const bytes = ApiVersionsResponse.encode(3, {
      errorCode: 0,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
      throttleTimeMs: 0,
      finalizedFeaturesEpoch: 5n,
      supportedFeatures: [{ name: 'kraft.version', minVersion: 0, maxVersion: 1 }],
    });
    const feature = `02 0e ${ascii('kraft.version')} 0000 0001 00`;
    const expected = hex(
      `
      0000                      # error code
      02 0012 0000 0004 00      # api keys: one entry, its tagged fields
      00000000                  # throttle time
      02                        # two tagged fields
      00 14 ${feature}          # tag 0, 20 bytes
      01 08 0000000000000005    # tag 1, 8 bytes
    `.replace(/#[^\n]*/g, ''),
    );
    assert.deepEqual(bytes, expected);
    const decoded = ApiVersionsResponse.decode(3, bytes);
    assert.equal(decoded.finalizedFeaturesEpoch, 5n);
    assert.deepStrictEqual(decoded.supportedFeatures, [
      { name: 'kraft.version', minVersion: 0, maxVersion: 1 },
    ]);
    assert.deepStrictEqual(decoded.finalizedFeatures, []);
    assert.equal(decoded.zkMigrationReady, false);
  });

  it('drops ignorable fields a version lacks, without complaint', () => {
    // ThrottleTimeMs arrived in v1 and is ignorable; tagged fields do not exist before v3.
    const v0 = ApiVersionsResponse.encode(0, {
      errorCode: 35,
      throttleTimeMs: 100,
      finalizedFeaturesEpoch: 3n,
    });
    assert.deepEqual(v0, hex('0023 00000000'));
    assert.equal(ApiVersionsResponse.decode(0, v0).throttleTimeMs, 0);
  });
});

describe('MetadataRequest', () => {
  it('encodes v12 (flexible) with a compact array of topics', () => {
    const bytes = MetadataRequest.encode(12, {
      topics: [{ name: 'foo' }],
      includeTopicAuthorizedOperations: true,
    });
    const zeroUuid = '00'.repeat(16);
    assert.deepEqual(bytes, hex(`02 ${zeroUuid} 04 ${ascii('foo')} 00  01  01  00`));
    const decoded = MetadataRequest.decode(12, bytes);
    assert.deepStrictEqual(decoded.topics, [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'foo' }]);
    assert.equal(decoded.allowAutoTopicCreation, true);
    assert.equal(decoded.includeClusterAuthorizedOperations, false);
  });

  it('encodes null topics (all topics) as a zero compact length in v12 and -1 in v1', () => {
    assert.deepEqual(MetadataRequest.encode(12, { topics: null }), hex('00 01 00 00'));
    assert.deepEqual(MetadataRequest.encode(1, { topics: null }), hex('ffffffff'));
    assert.equal(MetadataRequest.decode(1, hex('ffffffff')).topics, null);
  });

  it('refuses null topics in v0, where the array is not nullable', () => {
    assert.throws(() => MetadataRequest.encode(0, { topics: null }), protocolError('INVALID_FIELD'));
    assert.throws(() => MetadataRequest.decode(0, hex('ffffffff')), protocolError('NULL_NOT_ALLOWED'));
  });

  it('refuses to drop a non-ignorable field with a non-default value', () => {
    // AllowAutoTopicCreation (v4+, default true) cannot be expressed in v3.
    assert.throws(
      () => MetadataRequest.encode(3, { allowAutoTopicCreation: false }),
      protocolError('INVALID_FIELD'),
    );
    assert.deepEqual(
      MetadataRequest.encode(3, { allowAutoTopicCreation: true, topics: [] }),
      hex('00000000'),
    );
    // TopicId is ignorable, so v9 simply leaves it out.
    const v9 = MetadataRequest.encode(9, { topics: [{ topicId: 'AQIDBAUGBwgJCgsMDQ4PEA', name: 'a' }] });
    assert.deepEqual(v9, hex(`02 02 ${ascii('a')} 00 01 00 00 00`));
  });
});

describe('FetchRequest ClusterId (tag 0, v12+)', () => {
  it('goes in the tagged section only when set', () => {
    const without = FetchRequest.encode(12, {});
    const withId = FetchRequest.encode(12, { clusterId: 'abc' });
    assert.equal(without[without.length - 1], 0);
    assert.deepEqual(withId.subarray(without.length - 1), hex(`01 00 04 04 ${ascii('abc')}`));
    assert.equal(FetchRequest.decode(12, withId).clusterId, 'abc');
    assert.equal(FetchRequest.decode(12, without).clusterId, null);
  });

  it('rejects a known tagged field whose size disagrees with its content', () => {
    const withId = FetchRequest.encode(12, { clusterId: 'abc' });
    const tail = withId.length - 7;
    const bad = Buffer.concat([withId.subarray(0, tail), hex(`01 00 05 04 ${ascii('abc')} 00`)]);
    assert.throws(() => FetchRequest.decode(12, bad), protocolError('INVALID_FIELD'));
  });
});

describe('nullable struct in a tagged field', () => {
  it('uses an unsigned varint presence marker, as Kafka does inside tagged fields', () => {
    const bytes = ConsumerGroupMemberMetadataValue.encode(0, {
      classicMemberMetadata: { sessionTimeoutMs: 45000, supportedProtocols: [] },
    });
    // Fixed part: null instance and rack ids, empty client id and host, no topics, null regex,
    // rebalance timeout -1, null assignor. Then one tagged field: tag 0, 7 bytes, marker 1, struct.
    assert.deepEqual(bytes, hex('00 00 01 01 01 00 ffffffff 00  01 00 07 01 0000afc8 01 00'));
    assert.deepStrictEqual(ConsumerGroupMemberMetadataValue.decode(0, bytes).classicMemberMetadata, {
      sessionTimeoutMs: 45000,
      supportedProtocols: [],
    });
    const explicitNull = hex('00 00 01 01 01 00 ffffffff 00  01 00 01 00');
    assert.equal(ConsumerGroupMemberMetadataValue.decode(0, explicitNull).classicMemberMetadata, null);
  });
});

describe('RequestHeader', () => {
  it('v1 with a null client id', () => {
    const bytes = RequestHeader.encode(1, {
      requestApiKey: 3,
      requestApiVersion: 1,
      correlationId: 7,
      clientId: null,
    });
    assert.deepEqual(bytes, hex('0003 0001 00000007 ffff'));
    assert.equal(RequestHeader.decode(1, bytes).clientId, null);
  });

  it('v2 keeps the two-byte client id length and adds tagged fields', () => {
    const nullId = RequestHeader.encode(2, { requestApiKey: 18, requestApiVersion: 3, correlationId: 1 });
    assert.deepEqual(nullId, hex('0012 0003 00000001 ffff 00'));
    const named = RequestHeader.encode(2, {
      requestApiKey: 18,
      requestApiVersion: 3,
      correlationId: 1,
      clientId: 'c',
    });
    assert.deepEqual(named, hex(`0012 0003 00000001 0001 ${ascii('c')} 00`));
  });

  it('v0 has no client id', () => {
    assert.deepEqual(
      RequestHeader.encode(0, { requestApiKey: 7, correlationId: 2 }),
      hex('0007 0000 00000002'),
    );
  });
});

describe('encoding mistakes are ProtocolErrors', () => {
  it('null in a non-nullable field', () => {
    const topic = { name: null as unknown as string };
    assert.throws(() => ProduceRequest.encode(3, { topicData: [topic] }), protocolError('INVALID_FIELD'));
  });

  it('a string too long for an int16 length', () => {
    const name = 'x'.repeat(40000);
    assert.throws(() => MetadataRequest.encode(4, { topics: [{ name }] }), protocolError('INVALID_FIELD'));
    // Compact strings have no such limit.
    assert.equal(
      MetadataRequest.decode(9, MetadataRequest.encode(9, { topics: [{ name }] })).topics![0]!.name,
      name,
    );
  });

  it('numbers outside their type', () => {
    assert.throws(() => ProduceRequest.encode(3, { acks: 40000 }), protocolError('INVALID_FIELD'));
    assert.throws(() => ProduceRequest.encode(3, { timeoutMs: 2 ** 31 }), protocolError('INVALID_FIELD'));
  });

  it('versions the spec does not have', () => {
    assert.throws(() => MetadataRequest.encode(13, {}), protocolError('UNSUPPORTED_VERSION'));
    assert.throws(() => MetadataRequest.decode(-1, Buffer.alloc(0)), protocolError('UNSUPPORTED_VERSION'));
  });

  it('bytes left after a message', () => {
    assert.throws(() => ApiVersionsRequest.decode(0, hex('00')), protocolError('TRAILING_BYTES'));
  });
});

describe('registry', () => {
  it('maps API names and keys', () => {
    assert.equal(ApiKey.Produce, 0);
    assert.equal(ApiKey.Fetch, 1);
    assert.equal(ApiKey.ApiVersions, 18);
    assert.equal(API_REGISTRY.get(0)!.name, 'Produce');
    assert.equal(API_REGISTRY.get(0)!.request, ProduceRequest);
    assert.equal(API_REGISTRY.size, Object.keys(ApiKey).length);
  });

  it('knows header versions', () => {
    const produce = API_REGISTRY.get(ApiKey.Produce)!;
    assert.equal(produce.requestHeaderVersion(8), 1);
    assert.equal(produce.requestHeaderVersion(9), 2);
    assert.equal(produce.responseHeaderVersion(8), 0);
    assert.equal(produce.responseHeaderVersion(9), 1);
    const shutdown = API_REGISTRY.get(ApiKey.ControlledShutdown)!;
    assert.equal(shutdown.requestHeaderVersion(0), 0);
    assert.equal(shutdown.requestHeaderVersion(1), 1);
    const apiVersions = API_REGISTRY.get(ApiKey.ApiVersions)!;
    assert.equal(apiVersions.requestHeaderVersion(3), 2);
    assert.equal(apiVersions.responseHeaderVersion(3), 0);
  });

  it('knows which newest versions are still unstable', () => {
    assert.equal(API_REGISTRY.get(ApiKey.ShareFetch)!.latestVersionUnstable, true);
    assert.equal(API_REGISTRY.get(ApiKey.Produce)!.latestVersionUnstable, false);
  });

  it('marks secrets so that logs can leave them out', () => {
    const auth = SaslAuthenticateRequest.fields.find((f) => f.name === 'AuthBytes')!;
    assert.equal(auth.sensitive, true);
    assert.equal(SaslAuthenticateRequest.fields.filter((f) => f.sensitive).length, 1);
    assert.equal(
      ProduceRequest.fields.some((f) => f.sensitive),
      false,
    );
  });

  it('maps metadata record types to codecs', () => {
    assert.equal(METADATA_RECORD_TYPES.get(2), TopicRecord);
    assert.equal(TopicRecord.apiKey, 2);
  });
});
