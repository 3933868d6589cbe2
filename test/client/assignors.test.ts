import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MemberSubscription } from '../../src/client/consumer/assignors/assignor.js';
import { rangeAssignor } from '../../src/client/consumer/assignors/range-assignor.js';
import { roundRobinAssignor } from '../../src/client/consumer/assignors/round-robin-assignor.js';
import {
  cooperativeStickyAssignor,
  stickyAssignor,
} from '../../src/client/consumer/assignors/sticky-assignor.js';
import type { TopicPartitions } from '../../src/protocol/consumer-protocol.js';

function member(
  memberId: string,
  topics: string[],
  owned: Record<string, number[]> = {},
  generationId = 1,
): MemberSubscription {
  return {
    memberId,
    groupInstanceId: null,
    subscription: {
      topics,
      userData: null,
      ownedPartitions: new Map(Object.entries(owned)),
      generationId,
      rackId: null,
    },
  };
}

function plain(a: Map<string, TopicPartitions>): Record<string, Record<string, number[]>> {
  const out: Record<string, Record<string, number[]>> = {};
  for (const [m, tp] of a)
    out[m] = Object.fromEntries([...tp].map(([t, ps]) => [t, [...ps].sort((x, y) => x - y)]));
  return out;
}

function counts(a: Map<string, TopicPartitions>): number[] {
  return [...a.values()].map((tp) => [...tp.values()].reduce((n, ps) => n + ps.length, 0));
}

function owners(a: Map<string, TopicPartitions>): Map<string, string> {
  const o = new Map<string, string>();
  for (const [m, tp] of a) {
    for (const [t, ps] of tp) {
      for (const p of ps) {
        assert.ok(!o.has(`${t}-${p}`), `${t}-${p} assigned twice`);
        o.set(`${t}-${p}`, m);
      }
    }
  }
  return o;
}

describe('range assignor', () => {
  it('matches RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions', () => {
    const a = rangeAssignor.assign(
      [member('c1', ['t1', 't2']), member('c2', ['t1', 't2'])],
      new Map([
        ['t1', 3],
        ['t2', 3],
      ]),
    );
    assert.deepEqual(plain(a), { c1: { t1: [0, 1], t2: [0, 1] }, c2: { t1: [2], t2: [2] } });
  });

  it('gives nothing to members not subscribed and handles more members than partitions', () => {
    const a = rangeAssignor.assign(
      [member('a', ['t']), member('b', ['t']), member('c', ['t']), member('d', ['other'])],
      new Map([
        ['t', 2],
        ['other', 0],
      ]),
    );
    assert.deepEqual(plain(a), { a: { t: [0] }, b: { t: [1] }, c: {}, d: {} });
  });
});

describe('roundrobin assignor', () => {
  it('matches RoundRobinAssignorTest.testTwoConsumersTwoTopicsSixPartitions', () => {
    const a = roundRobinAssignor.assign(
      [member('c1', ['t1', 't2']), member('c2', ['t1', 't2'])],
      new Map([
        ['t1', 3],
        ['t2', 3],
      ]),
    );
    assert.deepEqual(plain(a), { c1: { t1: [0, 2], t2: [1] }, c2: { t1: [1], t2: [0, 2] } });
  });

  it('skips members not subscribed to a topic (testMultipleConsumersMixedTopics)', () => {
    const a = roundRobinAssignor.assign(
      [member('c1', ['t1']), member('c2', ['t1', 't2']), member('c3', ['t1'])],
      new Map([
        ['t1', 3],
        ['t2', 2],
      ]),
    );
    assert.deepEqual(plain(a), { c1: { t1: [0] }, c2: { t1: [1], t2: [0, 1] }, c3: { t1: [2] } });
  });
});

describe('sticky assignors', () => {
  const topics = new Map([
    ['t1', 4],
    ['t2', 3],
  ]);

  it('balances a fresh group to within one partition', () => {
    const a = stickyAssignor.assign(
      [member('a', ['t1', 't2']), member('b', ['t1', 't2']), member('c', ['t1', 't2'])],
      topics,
    );
    const c = counts(a);
    assert.equal(
      c.reduce((x, y) => x + y),
      7,
    );
    assert.ok(Math.max(...c) - Math.min(...c) <= 1);
    assert.equal(owners(a).size, 7);
  });

  it('keeps owned partitions when a member joins, moving only what balance needs', () => {
    const before = { a: { t1: [0, 1, 2, 3], t2: [0] }, b: { t2: [1, 2] } };
    const a = stickyAssignor.assign(
      [member('a', ['t1', 't2'], before.a), member('b', ['t1', 't2'], before.b), member('c', ['t1', 't2'])],
      topics,
    );
    const o = owners(a);
    assert.equal(o.size, 7);
    assert.deepEqual(counts(a).sort(), [2, 2, 3]);
    // b keeps both of its partitions; a keeps three of its five.
    assert.equal(o.get('t2-1'), 'b');
    assert.equal(o.get('t2-2'), 'b');
    const keptByA = ['t1-0', 't1-1', 't1-2', 't1-3', 't2-0'].filter((k) => o.get(k) === 'a');
    assert.equal(keptByA.length, 3);
  });

  it('prefers the claim of the newer generation when two members claim a partition', () => {
    const a = stickyAssignor.assign(
      [member('a', ['t'], { t: [0] }, 1), member('b', ['t'], { t: [0] }, 2)],
      new Map([['t', 2]]),
    );
    assert.equal(owners(a).get('t-0'), 'b');
  });

  it('cooperative: a partition moving to another member is left out until its owner revokes it (KIP-429)', () => {
    const first = cooperativeStickyAssignor.assign(
      [member('a', ['t1', 't2'], { t1: [0, 1, 2, 3], t2: [0, 1, 2] }), member('b', ['t1', 't2'])],
      topics,
    );
    const o1 = owners(first);
    // b gets nothing yet: everything it should get is still owned by a.
    assert.deepEqual(plain(first).b, {});
    assert.ok(o1.size < 7);
    const aKeeps = plain(first).a!;
    // Second round: a owns what it kept; the revoked ones are free and go to b.
    const second = cooperativeStickyAssignor.assign(
      [member('a', ['t1', 't2'], aKeeps, 2), member('b', ['t1', 't2'], {}, 2)],
      topics,
    );
    const o2 = owners(second);
    assert.equal(o2.size, 7);
    assert.ok(Math.max(...counts(second)) - Math.min(...counts(second)) <= 1);
    for (const [k, m] of o1) assert.equal(o2.get(k), m, `${k} stayed with its owner`);
  });

  it('drops owned partitions of topics no longer subscribed', () => {
    const a = stickyAssignor.assign([member('a', ['t2'], { t1: [0], t2: [0] })], topics);
    assert.deepEqual(plain(a), { a: { t2: [0, 1, 2] } });
  });
});
