import assert from 'node:assert/strict';
import type {
  JoinGroupRequest,
  JoinGroupResponse,
  SyncGroupResponse,
} from '../../../../src/broker/group-coordinator/core/group-api.js';
import { GroupCoordinator } from '../../../../src/broker/group-coordinator/core/group-coordinator.js';
import type { GroupCoordinatorConfig } from '../../../../src/broker/group-coordinator/core/group-coordinator-config.js';
import type {
  GroupApi,
  GroupApis,
  GroupEffect,
  GroupRequest,
} from '../../../../src/broker/group-coordinator/core/group-effects.js';
import type { GroupRecord } from '../../../../src/broker/group-coordinator/core/group-record-codec.js';
import { ManualClock } from '../../../../src/common/clock.js';
import { SeededRandom } from '../../../../src/common/random.js';
import { encodeSubscription } from '../../../helpers/consumer-protocol-v0.js';

/** A coordinator serving every __consumer_offsets partition, on a manual clock, recording what it emits. */
export class Kit {
  readonly clock = new ManualClock(1_000_000);
  readonly coordinator: GroupCoordinator;
  /** Every record appended so far, in order: the log a restart replays. */
  readonly log: { partition: number; record: GroupRecord }[] = [];
  /** Responses not yet taken by a test, by request id. */
  private readonly responses = new Map<number, { api: GroupApi; response: unknown }>();
  private nextRequestId = 1;

  constructor(config: Partial<GroupCoordinatorConfig> = {}, seed = 1) {
    this.coordinator = new GroupCoordinator({
      config: { groupInitialRebalanceDelayMs: 0, ...config },
      clock: this.clock,
      random: new SeededRandom(seed),
    });
    for (let p = 0; p < this.coordinator.config.offsetsTopicNumPartitions; p++) {
      this.absorb(this.coordinator.loadFrom(p, []));
    }
  }

  absorb(effects: GroupEffect[]): void {
    for (const e of effects) {
      if (e.type === 'append')
        for (const record of e.records) this.log.push({ partition: e.partition, record });
      else {
        assert.ok(!this.responses.has(e.requestId), `request ${e.requestId} answered twice`);
        this.responses.set(e.requestId, { api: e.api, response: e.response });
      }
    }
  }

  /** Sends a request; returns its id (its response may come later). */
  send<A extends GroupApi>(
    api: A,
    request: GroupApis[A]['request'],
    apiVersion = 99,
    clientId = 'client',
  ): number {
    const requestId = this.nextRequestId++;
    const input = { api, context: { requestId, apiVersion, clientId, clientHost: '/127.0.0.1' }, request };
    this.absorb(this.coordinator.handle(input as GroupRequest));
    return requestId;
  }

  /** The response to a request, which must have been answered. */
  take<A extends GroupApi>(api: A, requestId: number): GroupApis[A]['response'] {
    const r = this.responses.get(requestId);
    assert.ok(r, `request ${requestId} (${api}) has no response yet`);
    assert.equal(r.api, api);
    this.responses.delete(requestId);
    return r.response as GroupApis[A]['response'];
  }

  answered(requestId: number): boolean {
    return this.responses.has(requestId);
  }

  /** Sends and expects an immediate answer. */
  call<A extends GroupApi>(
    api: A,
    request: GroupApis[A]['request'],
    apiVersion = 99,
  ): GroupApis[A]['response'] {
    return this.take(api, this.send(api, request, apiVersion));
  }

  advance(ms: number): void {
    this.clock.advance(ms);
    this.absorb(this.coordinator.tick(this.clock.monotonicMs()));
  }

  joinRequest(groupId: string, memberId = '', overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
    return {
      groupId,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 30_000,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: encodeSubscription(['t']) }],
      reason: null,
      ...overrides,
    };
  }

  /** JoinGroup v4+ as a client does it: the MEMBER_ID_REQUIRED round trip, then the real join. Returns the join's request id. */
  joinNew(
    groupId: string,
    overrides: Partial<JoinGroupRequest> = {},
  ): { requestId: number; memberId: string } {
    const first = this.call('JoinGroup', this.joinRequest(groupId, '', overrides));
    assert.equal(first.errorCode, 79, 'MEMBER_ID_REQUIRED');
    const requestId = this.send('JoinGroup', this.joinRequest(groupId, first.memberId, overrides));
    return { requestId, memberId: first.memberId };
  }

  sync(
    groupId: string,
    memberId: string,
    generationId: number,
    assignments: { memberId: string; assignment: Buffer }[] = [],
  ): number {
    return this.send('SyncGroup', {
      groupId,
      generationId,
      memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments,
    });
  }

  /** Forms a Stable group of `n` dynamic members; returns their ids (the first is the leader) and the generation. */
  stableGroup(groupId: string, n: number): { members: string[]; generationId: number; leader: string } {
    const joins = [];
    for (let i = 0; i < n; i++) joins.push(this.joinNew(groupId));
    this.advance(0);
    const responses: JoinGroupResponse[] = joins.map((j) => this.take('JoinGroup', j.requestId));
    for (const r of responses) assert.equal(r.errorCode, 0);
    const generationId = responses[0]!.generationId;
    const leader = responses[0]!.leader;
    const members = responses.map((r) => r.memberId);
    const syncs = members.map((m) =>
      this.sync(
        groupId,
        m,
        generationId,
        m === leader ? members.map((id) => ({ memberId: id, assignment: Buffer.from(id) })) : [],
      ),
    );
    for (const id of syncs) assert.equal(this.take('SyncGroup', id).errorCode, 0);
    return { members: [leader, ...members.filter((m) => m !== leader)], generationId, leader };
  }
}

export type { SyncGroupResponse };
