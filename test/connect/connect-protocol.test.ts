import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeAssignment,
  decodeWorkerState,
  encodeAssignment,
  encodeWorkerState,
} from '../../src/connect/distributed/connect-protocol.js';
import {
  type AssignorState,
  assignIncrementally,
} from '../../src/connect/distributed/incremental-assignor.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe("Kafka Connect's group protocol bytes", () => {
  it('writes V0 metadata as ConnectProtocol does: version, url, config offset', () => {
    const bytes = encodeWorkerState({ version: 0, url: 'http://a:1/', configOffset: 5n, allocation: null });
    assert.deepEqual(bytes, hex('0000 000b 687474703a2f2f613a312f 0000000000000005'));
    assert.deepEqual(decodeWorkerState(bytes), {
      version: 0,
      url: 'http://a:1/',
      configOffset: 5n,
      allocation: null,
    });
  });

  it('writes V1 metadata with a null allocation for a worker that runs nothing', () => {
    const bytes = encodeWorkerState({ version: 1, url: 'u', configOffset: 0n, allocation: null });
    assert.deepEqual(bytes, hex('0001 0001 75 0000000000000000 ffffffff'));
  });

  it('writes an incremental assignment with the connector as task -1, revocations and the delay', () => {
    const assignment = {
      version: 1,
      error: 0,
      leader: 'L',
      leaderUrl: 'U',
      configOffset: 7n,
      connectors: ['c'],
      tasks: [{ connector: 'c', task: 0 }],
      revoked: { connectors: [], tasks: [{ connector: 'd', task: 2 }] },
      delayMs: 300,
    };
    const bytes = encodeAssignment(assignment);
    assert.deepEqual(
      bytes,
      hex(
        '0001 0000 0001 4c 0001 55 0000000000000007' +
          ' 00000001 0001 63 00000002 ffffffff 00000000' +
          ' 00000001 0001 64 00000001 00000002' +
          ' 0000012c',
      ),
    );
    assert.deepEqual(decodeAssignment(bytes), assignment);
    // The worker's metadata embeds its current assignment as bytes.
    const state = { version: 2, url: 'u', configOffset: 7n, allocation: { ...assignment, version: 2 } };
    assert.deepEqual(decodeWorkerState(encodeWorkerState(state)), state);
  });

  it('refuses truncated bytes with a data error instead of reading past them', () => {
    const bytes = encodeWorkerState({ version: 1, url: 'http://x/', configOffset: 1n, allocation: null });
    assert.throws(() => decodeWorkerState(bytes.subarray(0, 6)), { code: 'DATA_ERROR' });
  });
});

describe('incremental cooperative assignment (KIP-415)', () => {
  const work = (connectors: string[], tasksPer: number) => ({
    connectors,
    tasks: connectors.flatMap((connector) =>
      Array.from({ length: tasksPer }, (_, task) => ({ connector, task })),
    ),
  });
  const empty = { connectors: [], tasks: [] };
  const fresh = (): AssignorState => ({ previous: null, lostDeadlineMs: null });
  const count = (a: { connectors: string[]; tasks: unknown[] }) => a.connectors.length + a.tasks.length;

  it('spreads new work evenly and keeps what members run', () => {
    const state = fresh();
    const first = assignIncrementally(
      [
        { memberId: 'a', owned: empty },
        { memberId: 'b', owned: empty },
        { memberId: 'c', owned: empty },
      ],
      work(['x', 'y', 'z'], 2),
      state,
      0,
      1000,
    );
    for (const id of ['a', 'b', 'c']) {
      assert.equal(first.assignments.get(id)!.assigned.connectors.length, 1);
      assert.equal(first.assignments.get(id)!.assigned.tasks.length, 2);
    }
    // The next round with the same members moves nothing.
    const owned = (id: string) => first.assignments.get(id)!.assigned;
    const second = assignIncrementally(
      ['a', 'b', 'c'].map((memberId) => ({ memberId, owned: owned(memberId) })),
      work(['x', 'y', 'z'], 2),
      state,
      1,
      1000,
    );
    for (const a of second.assignments.values()) assert.equal(count(a.assigned) + count(a.revoked), 0);
  });

  it("holds a departed member's work for the delay, then gives it to the others", () => {
    const state = fresh();
    const members = ['a', 'b', 'c'];
    const first = assignIncrementally(
      members.map((memberId) => ({ memberId, owned: empty })),
      work(['x', 'y', 'z'], 2),
      state,
      0,
      1000,
    );
    const owned = (id: string) => first.assignments.get(id)!.assigned;
    const survivors = [
      { memberId: 'a', owned: owned('a') },
      { memberId: 'b', owned: owned('b') },
    ];
    const held = assignIncrementally(survivors, work(['x', 'y', 'z'], 2), state, 100, 1000);
    assert.equal(held.delayMs, 1000);
    for (const a of held.assignments.values()) assert.equal(count(a.assigned), 0);
    const later = assignIncrementally(survivors, work(['x', 'y', 'z'], 2), state, 1100, 1000);
    assert.equal(later.delayMs, 0);
    const moved = [...later.assignments.values()].flatMap((a) => [
      ...a.assigned.connectors,
      ...a.assigned.tasks.map((t) => `${t.connector}-${t.task}`),
    ]);
    assert.deepEqual(
      moved.sort(),
      [...owned('c').connectors, ...owned('c').tasks.map((t) => `${t.connector}-${t.task}`)].sort(),
    );
  });

  it('revokes only the excess when a member joins, and deleted work from its owner', () => {
    const state = fresh();
    const all = work(['x', 'y'], 3);
    const lone = assignIncrementally([{ memberId: 'a', owned: empty }], all, state, 0, 1000);
    const ownedA = lone.assignments.get('a')!.assigned;
    const joined = assignIncrementally(
      [
        { memberId: 'a', owned: ownedA },
        { memberId: 'b', owned: empty },
      ],
      all,
      state,
      1,
      1000,
    );
    const revoked = joined.assignments.get('a')!.revoked;
    assert.equal(revoked.connectors.length, 1);
    assert.equal(revoked.tasks.length, 3);
    const deleted = assignIncrementally([{ memberId: 'a', owned: ownedA }], work(['x'], 3), fresh(), 0, 1000);
    assert.deepEqual(deleted.assignments.get('a')!.revoked, {
      connectors: ['y'],
      tasks: [0, 1, 2].map((task) => ({ connector: 'y', task })),
    });
  });
});
