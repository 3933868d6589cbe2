import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startBroker } from '../../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../../src/protocol/generated/api-registry.js';
import type { FindCoordinatorResponse } from '../../../../src/protocol/generated/messages/find-coordinator-response.js';
import type { JoinGroupResponse } from '../../../../src/protocol/generated/messages/join-group-response.js';
import type { ListGroupsResponse } from '../../../../src/protocol/generated/messages/list-groups-response.js';
import type { OffsetCommitResponse } from '../../../../src/protocol/generated/messages/offset-commit-response.js';
import type { OffsetFetchResponse } from '../../../../src/protocol/generated/messages/offset-fetch-response.js';
import type { SyncGroupResponse } from '../../../../src/protocol/generated/messages/sync-group-response.js';
import { request } from '../../../helpers/request.js';

describe('broker: group coordinator wired to the network and __consumer_offsets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-groups-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('forms a group, commits offsets durably and serves them after a restart', async () => {
    let broker = await startBroker({ logDir: dir, config: { 'offsets.topic.num.partitions': '5' } });
    const bs = () => broker.bootstrap;
    const fc = await request<FindCoordinatorResponse>(bs(), ApiKey.FindCoordinator, 4, {
      keyType: 0,
      coordinatorKeys: ['g'],
    });
    assert.equal(fc.coordinators[0]!.errorCode, ErrorCode.NONE);
    assert.equal(fc.coordinators[0]!.nodeId, 1);

    const join1 = await request<JoinGroupResponse>(bs(), ApiKey.JoinGroup, 5, {
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from([0, 0]) }],
    });
    assert.equal(join1.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    const join2 = await request<JoinGroupResponse>(bs(), ApiKey.JoinGroup, 5, {
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: join1.memberId,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from([0, 0]) }],
    });
    assert.equal(join2.errorCode, ErrorCode.NONE);
    assert.equal(join2.leader, join1.memberId);
    const sync = await request<SyncGroupResponse>(bs(), ApiKey.SyncGroup, 3, {
      groupId: 'g',
      generationId: join2.generationId,
      memberId: join1.memberId,
      assignments: [{ memberId: join1.memberId, assignment: Buffer.from([1, 2, 3]) }],
    });
    assert.equal(sync.errorCode, ErrorCode.NONE);
    assert.deepEqual([...sync.assignment], [1, 2, 3]);

    const commit = await request<OffsetCommitResponse>(bs(), ApiKey.OffsetCommit, 7, {
      groupId: 'g',
      generationIdOrMemberEpoch: join2.generationId,
      memberId: join1.memberId,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedMetadata: 'm' }] },
      ],
    });
    assert.equal(commit.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    const stale = await request<OffsetCommitResponse>(bs(), ApiKey.OffsetCommit, 7, {
      groupId: 'g',
      generationIdOrMemberEpoch: join2.generationId - 1,
      memberId: join1.memberId,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 7n }] }],
    });
    assert.equal(stale.topics[0]!.partitions[0]!.errorCode, ErrorCode.ILLEGAL_GENERATION);

    const groups = await request<ListGroupsResponse>(bs(), ApiKey.ListGroups, 4, { statesFilter: [] });
    assert.deepEqual(
      groups.groups.map((g) => [g.groupId, g.groupState]),
      [['g', 'Stable']],
    );

    await broker.close();
    broker = await startBroker({ logDir: dir, config: { 'offsets.topic.num.partitions': '5' } });
    const fetched = await request<OffsetFetchResponse>(bs(), ApiKey.OffsetFetch, 6, {
      groupId: 'g',
      topics: [{ name: 't', partitionIndexes: [0] }],
    });
    assert.equal(fetched.errorCode, ErrorCode.NONE);
    assert.equal(fetched.topics[0]!.partitions[0]!.committedOffset, 42n);
    assert.equal(fetched.topics[0]!.partitions[0]!.metadata, 'm');
    await broker.close();
  });
});
