/**
 * Group coordinator core, no network: 1,000 groups × 3 members joining at once (virtual and real
 * time to all Stable), the rebalance after one member leaves a 100-member group, memory per
 * group, and offset-commit throughput with its p99 latency. The baseline, measured in the same run,
 * is encoding the records the work produces with the record codec alone: the floor any
 * coordinator pays to persist the same state. Prints figures; asserts nothing.
 */
import { cpus } from 'node:os';
import type { JoinGroupResponse } from '../src/broker/group-coordinator/core/group-api.js';
import { GroupCoordinator } from '../src/broker/group-coordinator/core/group-coordinator.js';
import type {
  GroupApi,
  GroupApis,
  GroupEffect,
  GroupRequest,
} from '../src/broker/group-coordinator/core/group-effects.js';
import {
  type GroupRecord,
  groupRecordCodec,
} from '../src/broker/group-coordinator/core/group-record-codec.js';
import { ManualClock } from '../src/common/clock.js';
import { SeededRandom } from '../src/common/random.js';
import { encodeSubscription } from '../test/helpers/consumer-protocol-v0.js';

const REPETITIONS = 7;
const INITIAL_DELAY_MS = 3_000;

/** A coordinator with every partition loaded, and the plumbing to drive it like a shell would. */
class Driver {
  readonly clock = new ManualClock(0);
  readonly coordinator = new GroupCoordinator({
    clock: this.clock,
    random: new SeededRandom(42),
    config: { groupInitialRebalanceDelayMs: INITIAL_DELAY_MS },
  });
  readonly responses = new Map<number, unknown>();
  readonly records: GroupRecord[] = [];
  private nextId = 1;

  constructor() {
    for (let p = 0; p < this.coordinator.config.offsetsTopicNumPartitions; p++) {
      this.absorb(this.coordinator.loadFrom(p, []));
    }
  }

  absorb(effects: GroupEffect[]): void {
    for (const e of effects) {
      if (e.type === 'append') this.records.push(...e.records);
      else this.responses.set(e.requestId, e.response);
    }
  }

  send<A extends GroupApi>(api: A, request: GroupApis[A]['request']): number {
    const requestId = this.nextId++;
    const input = {
      api,
      context: { requestId, apiVersion: 9, clientId: 'bench', clientHost: '/b' },
      request,
    };
    this.absorb(this.coordinator.handle(input as GroupRequest));
    return requestId;
  }

  take<A extends GroupApi>(_api: A, id: number): GroupApis[A]['response'] {
    const r = this.responses.get(id);
    if (r === undefined) throw new Error(`request ${id} unanswered`);
    this.responses.delete(id);
    return r as GroupApis[A]['response'];
  }

  advance(ms: number): void {
    this.clock.advance(ms);
    this.absorb(this.coordinator.tick(this.clock.monotonicMs()));
  }
}

const subscription = encodeSubscription(['events']);
const joinRequest = (groupId: string, memberId: string) => ({
  groupId,
  sessionTimeoutMs: 45_000,
  rebalanceTimeoutMs: 60_000,
  memberId,
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: subscription }],
  reason: null,
});

/** Joins (with the MEMBER_ID_REQUIRED round trip) and syncs every member; returns the virtual ms to all Stable. */
function formGroups(d: Driver, groups: number, members: number): number {
  const start = d.clock.monotonicMs();
  const joins: { groupId: string; id: number }[] = [];
  for (let g = 0; g < groups; g++) {
    for (let m = 0; m < members; m++) {
      const groupId = `group-${g}`;
      const first = d.take('JoinGroup', d.send('JoinGroup', joinRequest(groupId, '')));
      joins.push({ groupId, id: d.send('JoinGroup', joinRequest(groupId, first.memberId)) });
    }
  }
  // Nothing completes before the initial rebalance delay; step the virtual clock until it does.
  while (!d.responses.has(joins[0]!.id)) d.advance(100);
  const syncs: number[] = [];
  for (const j of joins) {
    const r = d.take('JoinGroup', j.id) as JoinGroupResponse;
    const assignments = r.members.map((m) => ({ memberId: m.memberId, assignment: Buffer.from(m.memberId) }));
    syncs.push(
      d.send('SyncGroup', {
        groupId: j.groupId,
        generationId: r.generationId,
        memberId: r.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments,
      }),
    );
  }
  for (const id of syncs) d.take('SyncGroup', id);
  return d.clock.monotonicMs() - start;
}

function median(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

function fmt(label: string, xs: number[], unit: string, baseline?: number[]): void {
  const m = median(xs);
  const spread = m.median === 0 ? 0 : ((m.max - m.min) / 2 / m.median) * 100;
  const ratio = baseline ? `  ${(m.median / median(baseline).median).toFixed(1)}× baseline` : '';
  console.log(
    `${label.padEnd(56)} median ${m.median.toFixed(m.median >= 1000 ? 0 : 2).padStart(10)} ${unit.padEnd(4)} spread ±${spread.toFixed(1)}%${ratio}`,
  );
}

function encodeAll(records: readonly GroupRecord[]): number {
  let bytes = 0;
  for (const r of records) {
    const e = groupRecordCodec.encode(r);
    bytes += e.key.length + (e.value?.length ?? 0);
  }
  return bytes;
}

console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`);

// 1. 1,000 groups × 3 members joining at once.
{
  const real: number[] = [];
  const base: number[] = [];
  let virtualMs = 0;
  let records = 0;
  for (let rep = 0; rep < REPETITIONS + 1; rep++) {
    const d = new Driver();
    const t0 = performance.now();
    virtualMs = formGroups(d, 1000, 3);
    const t1 = performance.now();
    const b0 = performance.now();
    encodeAll(d.records);
    const b1 = performance.now();
    records = d.records.length;
    if (rep === 0) continue; // warm-up
    real.push(t1 - t0);
    base.push(b1 - b0);
  }
  // The initial delay is extended once because members keep arriving during the first one.
  console.log(
    `1,000 groups × 3 members: all Stable after ${virtualMs} ms virtual (initial delay ${INITIAL_DELAY_MS} ms, extended by arrivals), ${records} records`,
  );
  fmt('  real time to all Stable (core)', real, 'ms', base);
  fmt('  baseline: encoding those records', base, 'ms');
}

// 2. One member leaves a 100-member group: real time until the group is Stable again.
{
  const real: number[] = [];
  const base: number[] = [];
  for (let rep = 0; rep < REPETITIONS + 1; rep++) {
    const d = new Driver();
    formGroups(d, 1, 100);
    const group = d.coordinator.group('group-0')!;
    const ids = [...group.members.keys()];
    const before = d.records.length;
    const t0 = performance.now();
    d.send('LeaveGroup', {
      groupId: 'group-0',
      members: [{ memberId: ids[99]!, groupInstanceId: null, reason: null }],
    });
    const joins = ids.slice(0, 99).map((id) => d.send('JoinGroup', joinRequest('group-0', id)));
    const syncs = joins.map((id) => {
      const r = d.take('JoinGroup', id) as JoinGroupResponse;
      return d.send('SyncGroup', {
        groupId: 'group-0',
        generationId: r.generationId,
        memberId: r.memberId,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: r.members.map((m) => ({ memberId: m.memberId, assignment: Buffer.from(m.memberId) })),
      });
    });
    for (const id of syncs) d.take('SyncGroup', id);
    const t1 = performance.now();
    if (group.state !== 'Stable') throw new Error('group did not settle');
    const b0 = performance.now();
    encodeAll(d.records.slice(before));
    const b1 = performance.now();
    if (rep === 0) continue;
    real.push(t1 - t0);
    base.push(b1 - b0);
  }
  console.log(
    '100-member group, one member leaves: rebalance completes when the 99 rejoin (0 ms virtual wait)',
  );
  fmt('  real time leave → Stable (core)', real, 'ms', base);
  fmt('  baseline: encoding the GroupMetadata record', base, 'ms');
}

// 3. Memory per Stable 3-member group (heap, after GC).
{
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    console.log('memory per group: run with --expose-gc (npm run bench:groups does)');
  } else {
    const samples: number[] = [];
    const kept: Driver[] = [];
    for (let rep = 0; rep < 3; rep++) {
      gc();
      gc();
      const h0 = process.memoryUsage().heapUsed;
      const d = new Driver();
      formGroups(d, 1000, 3);
      d.records.length = 0;
      kept.push(d);
      gc();
      gc();
      const h1 = process.memoryUsage().heapUsed;
      samples.push((h1 - h0) / 1000);
    }
    console.log(`memory: ${kept.reduce((n, d) => n + d.coordinator.groupIds().length, 0)} groups held`);
    fmt(
      'memory per Stable 3-member group',
      samples.map((b) => b / 1024),
      'KiB',
    );
  }
}

// 4. Offset commits: throughput and p99 latency of handle() for a 10-partition commit.
{
  const d = new Driver();
  formGroups(d, 1, 1);
  const member = [...d.coordinator.group('group-0')!.members.keys()][0]!;
  const commit = (offset: bigint) => ({
    groupId: 'group-0',
    generationIdOrMemberEpoch: 1,
    memberId: member,
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [
      {
        name: 'events',
        partitions: Array.from({ length: 10 }, (_, partitionIndex) => ({
          partitionIndex,
          committedOffset: offset,
          committedLeaderEpoch: 0,
          commitTimestamp: -1n,
          committedMetadata: '',
        })),
      },
    ],
  });
  const N = 20_000;
  const throughput: number[] = [];
  const base: number[] = [];
  const p99s: number[] = [];
  const encodeRates: number[] = [];
  for (let rep = 0; rep < REPETITIONS + 1; rep++) {
    const lat = new Float64Array(N);
    const records: GroupRecord[] = [];
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const s = performance.now();
      const effects = d.coordinator.handle({
        api: 'OffsetCommit',
        context: { requestId: i, apiVersion: 8, clientId: 'bench', clientHost: '/b' },
        request: commit(BigInt(i)),
      });
      lat[i] = performance.now() - s;
      for (const e of effects) if (e.type === 'append') for (const r of e.records) records.push(r);
    }
    const t1 = performance.now();
    // Baseline: the bare in-memory update a commit needs, a Map.set per partition.
    const plain = new Map<string, { offset: bigint; metadata: string; timestamp: number }>();
    const b0 = performance.now();
    for (let i = 0; i < N; i++) {
      for (let p = 0; p < 10; p++)
        plain.set(`group-0/events/${p}`, { offset: BigInt(i), metadata: '', timestamp: i });
    }
    const b1 = performance.now();
    // What the shell adds: encoding the emitted records for the log.
    const e0 = performance.now();
    encodeAll(records);
    const e1 = performance.now();
    if (rep === 0) continue;
    throughput.push((N * 10) / ((t1 - t0) / 1000));
    base.push((N * 10) / ((b1 - b0) / 1000));
    encodeRates.push((N * 10) / ((e1 - e0) / 1000));
    lat.sort();
    p99s.push(lat[Math.floor(N * 0.99)]! * 1000);
  }
  fmt('offset commits (core): partitions committed per second', throughput, '/s');
  fmt('  baseline: plain Map.set per partition, per second', base, '/s');
  console.log(
    `  (core throughput is ${(median(base).median / median(throughput).median).toFixed(1)}× below the baseline)`,
  );
  fmt('  shell side: OffsetCommit records encoded per second', encodeRates, '/s');
  fmt('  p99 latency of one 10-partition commit (core)', p99s, 'µs');
}
