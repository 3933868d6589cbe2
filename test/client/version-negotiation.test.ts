import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientVersionRange, negotiateVersions } from '../../src/client/network/api-versions.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';

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
