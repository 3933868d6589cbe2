import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientVersionRange, negotiateVersions } from '../../src/client/network/api-versions.js';
import { fitToVersion } from '../../src/client/network/fit-to-version.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import { LeaveGroupRequest } from '../../src/protocol/generated/messages/leave-group-request.js';

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
  it('drops fields the version lacks, in nested structs too, so any version encodes', () => {
    const body = {
      groupId: 'g',
      memberId: 'm-1',
      members: [{ memberId: 'm-1', groupInstanceId: null, reason: 'closing' }],
    };
    // LeaveGroup names one member up to v2 and a list of them from v3 (KIP-345).
    assert.throws(() => LeaveGroupRequest.encode(5, body), { code: 'INVALID_FIELD' });
    assert.throws(() => LeaveGroupRequest.encode(0, body), { code: 'INVALID_FIELD' });
    const v5 = LeaveGroupRequest.decode(
      5,
      LeaveGroupRequest.encode(5, fitToVersion(LeaveGroupRequest.fields, 5, body) as never),
    );
    assert.equal(v5.members[0]?.memberId, 'm-1');
    assert.equal(v5.members[0]?.reason, 'closing');
    const v3 = fitToVersion(LeaveGroupRequest.fields, 3, body) as { members: { reason?: string }[] };
    assert.equal('reason' in v3.members[0]!, false, 'reason arrives in v5');
    const v0 = LeaveGroupRequest.decode(
      0,
      LeaveGroupRequest.encode(0, fitToVersion(LeaveGroupRequest.fields, 0, body) as never),
    );
    assert.equal(v0.memberId, 'm-1');
  });
});
