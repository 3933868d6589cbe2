import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientVersionRange, negotiateVersions } from '../../src/client/network/api-versions.js';
import { fitToVersion } from '../../src/client/network/fit-to-version.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import { JoinGroupRequest } from '../../src/protocol/generated/messages/join-group-request.js';

describe('API version negotiation', () => {
  it('picks the highest version both sides support', () => {
    const client = (key: number) =>
      key === 3 ? { min: 0, max: 12 } : key === 0 ? { min: 3, max: 11 } : undefined;
    const v = negotiateVersions(
      [
        { apiKey: 3, minVersion: 0, maxVersion: 7 },
        { apiKey: 0, minVersion: 0, maxVersion: 13 },
      ],
      client,
    );
    assert.equal(v.get(3), 7);
    assert.equal(v.get(0), 11);
  });

  it('leaves out APIs with no common version and APIs the client does not know', () => {
    const client = (key: number) => (key === 1 ? { min: 4, max: 12 } : undefined);
    const v = negotiateVersions(
      [
        { apiKey: 1, minVersion: 0, maxVersion: 2 },
        { apiKey: 999, minVersion: 0, maxVersion: 1 },
      ],
      client,
    );
    assert.equal(v.size, 0);
  });

  it('talks to an old (0.10-era) broker at old versions through message-set conversion', () => {
    // Produce 0-2 and Fetch 0-3, as Kafka 0.10.2 advertises them.
    const v = negotiateVersions([
      { apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 2 },
      { apiKey: ApiKey.Fetch, minVersion: 0, maxVersion: 3 },
      { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 2 },
      { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 0 },
    ]);
    assert.equal(v.get(ApiKey.Produce), 2);
    assert.equal(v.get(ApiKey.Fetch), 3);
    assert.equal(v.get(ApiKey.Metadata), 2);
    assert.equal(v.get(ApiKey.ApiVersions), 0);
  });

  it('caps Fetch below the topic-id versions (KIP-516)', () => {
    assert.equal(clientVersionRange(ApiKey.Fetch)?.max, 12);
  });
});

describe('fitting requests to a version', () => {
  it('drops fields the version lacks, in nested structs too, so old versions encode', () => {
    const body = {
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 30_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      reason: 'joining',
    };
    assert.throws(() => JoinGroupRequest.encode(0, body));
    const v0 = fitToVersion(JoinGroupRequest.fields, 0, body) as typeof body;
    assert.equal('rebalanceTimeoutMs' in v0, false);
    assert.equal('reason' in v0, false);
    assert.deepEqual(JoinGroupRequest.decode(0, JoinGroupRequest.encode(0, v0)).protocols[0]?.name, 'range');
    const v9 = fitToVersion(JoinGroupRequest.fields, 9, body) as typeof body;
    assert.equal(v9.rebalanceTimeoutMs, 30_000);
    assert.equal(v9.reason, 'joining');
  });
});
