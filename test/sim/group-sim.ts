import { GroupCoordinator } from '../../src/broker/group-coordinator/core/group-coordinator.js';
import type {
  GroupApi,
  GroupApis,
  GroupEffect,
  GroupRequest,
} from '../../src/broker/group-coordinator/core/group-effects.js';
import {
  type EncodedGroupRecord,
  groupRecordCodec,
} from '../../src/broker/group-coordinator/core/group-record-codec.js';
import type { Clock } from '../../src/common/clock.js';
import { SeededRandom } from '../../src/common/random.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { decodeAssignment } from '../helpers/consumer-protocol-v0.js';
import { type ConsumerHost, SimConsumer } from './sim-consumer.js';

/** An invariant broken during a run; the message names the seed that replays it. */
export class SimulationFailure extends Error {}

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

interface Pending {
  readonly consumer: SimConsumer;
  readonly incarnation: number;
  readonly api: GroupApi;
  readonly request: unknown;
  readonly onResponse: (r: unknown) => void;
  /** The coordinator incarnation that received it, once delivered. */
  coordinatorEpoch: number;
}

const GROUPS: Record<string, readonly string[]> = { orders: ['t'], audit: ['t', 'u'] };
const PARTITIONS: Record<string, number> = { t: 6, u: 3 };
const NUM_PARTITIONS = 3;
const RUN_MS = 90_000;
const QUIET_MS = 60_000;

/**
 * One seeded run: a coordinator, its log, and consumers joining, leaving, crashing, pausing and
 * committing over a virtual clock, with coordinator restarts that rebuild from the log. Every
 * invariant is checked after every event.
 */
export class GroupSimulation implements ConsumerHost {
  readonly random: SeededRandom;
  private time = 0;
  private seq = 0;
  private queue: Event[] = [];
  private readonly clock: Clock = {
    nowMs: () => 1_700_000_000_000 + this.time,
    monotonicMs: () => this.time,
    setTimer: () => {
      throw new Error('the coordinator core must not set timers');
    },
  };
  private coordinator!: GroupCoordinator;
  private coordinatorEpoch = 0;
  private readonly log = new Map<number, EncodedGroupRecord[]>();
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  readonly consumers: SimConsumer[] = [];
  /** The last acknowledged commit of each group/topic/partition: what the coordinator must hold. */
  private readonly acknowledged = new Map<string, bigint>();
  /** Per group and generation: which member (instance) each partition was handed to by a successful SyncGroup. */
  private readonly handedOut = new Map<string, Map<string, string>>();
  private readonly lastGeneration = new Map<string, number>();
  private readonly lastStableGeneration = new Map<string, number>();
  /** Effects not yet made durable (appends) or sent (responses behind them), in order. */
  private unflushed: { effect: GroupEffect; commitContext?: { generation: number; state: string } }[] = [];
  private flushScheduled = false;
  private crashBeforeFlush = false;
  private readonly persistedGeneration = new Map<string, number>();
  readonly stats = {
    events: 0,
    restarts: 0,
    lostAppends: 0,
    commitsAcked: 0,
    staleRejected: 0,
    rebalances: 0,
  };

  constructor(readonly seed: number) {
    this.random = new SeededRandom(seed);
    this.startCoordinator();
  }

  now(): number {
    return this.time;
  }

  partitionsOf(topic: string): number {
    return PARTITIONS[topic] ?? 0;
  }

  after(consumer: SimConsumer, delayMs: number, fn: () => void): void {
    const incarnation = consumer.incarnation;
    this.at(this.time + delayMs, () => {
      if (consumer.incarnation === incarnation) fn();
    });
  }

  send<A extends GroupApi>(
    consumer: SimConsumer,
    api: A,
    apiVersion: number,
    request: GroupApis[A]['request'],
    onResponse: (response: GroupApis[A]['response']) => void,
  ): void {
    const requestId = this.nextRequestId++;
    const p: Pending = {
      consumer,
      incarnation: consumer.incarnation,
      api,
      request,
      onResponse: onResponse as (r: unknown) => void,
      coordinatorEpoch: -1,
    };
    this.pending.set(requestId, p);
    this.at(this.time + 1 + this.random.int(20), () => this.deliver(requestId, apiVersion));
  }

  run(): void {
    const faultsUntil = RUN_MS;
    this.at(0, () => this.spawn());
    for (let t = 500; t < faultsUntil; t += 300 + this.random.int(1700)) this.at(t, () => this.fault());
    // After the faults stop, let every slow consumer recover and the groups settle.
    this.at(faultsUntil, () => {
      for (const c of this.consumers) c.slowUntilMs = 0;
    });
    const end = faultsUntil + QUIET_MS;
    for (;;) {
      const next = this.queue[0];
      const deadline = this.coordinator.nextDeadlineMs();
      const eventAt = next ? next.at : Number.POSITIVE_INFINITY;
      const at = deadline !== null && deadline < eventAt ? deadline : eventAt;
      if (at > end) break;
      this.time = Math.max(this.time, at);
      if (deadline !== null && deadline < eventAt) {
        this.apply(this.coordinator.tick(this.time));
      } else {
        this.queue.shift();
        next!.fn();
      }
      this.stats.events++;
      this.check();
    }
    this.checkSettled();
  }

  /** A summary of the run that two runs of the same seed must agree on. */
  fingerprint(): string {
    const logs = [...this.log].map(([p, records]) => [
      p,
      records.length,
      records.at(-1)?.key.toString('hex') ?? '',
    ]);
    const consumers = this.consumers.map((c) => [c.name, c.state, c.memberId, c.generationId]);
    return JSON.stringify({ time: this.time, stats: this.stats, logs, consumers });
  }

  private at(at: number, fn: () => void): void {
    const e: Event = { at, seq: this.seq++, fn };
    // Sorted insert: queues stay small (a few dozen events).
    let i = this.queue.length;
    while (
      i > 0 &&
      (this.queue[i - 1]!.at > at || (this.queue[i - 1]!.at === at && this.queue[i - 1]!.seq > e.seq))
    )
      i--;
    this.queue.splice(i, 0, e);
  }

  private fail(msg: string): never {
    throw new SimulationFailure(
      `seed ${this.seed} at t=${this.time}ms: ${msg} (replay: SIM_SEED=${this.seed})`,
    );
  }

  private startCoordinator(): void {
    this.coordinatorEpoch++;
    this.coordinator = new GroupCoordinator({
      clock: this.clock,
      random: new SeededRandom(this.seed * 7919 + this.coordinatorEpoch),
      config: {
        offsetsTopicNumPartitions: NUM_PARTITIONS,
        groupInitialRebalanceDelayMs: this.random.int(2) === 0 ? 0 : 500,
        offsetsRetentionCheckIntervalMs: 24 * 3_600_000,
      },
    });
    for (let p = 0; p < NUM_PARTITIONS; p++) {
      this.coordinator.beginLoad(p);
      const records = (this.log.get(p) ?? []).map((r) => groupRecordCodec.decode(r));
      this.apply(this.coordinator.loadFrom(p, records));
    }
    this.lastGeneration.clear();
    // In-memory Stable generations that never became durable are gone with the old coordinator.
    this.lastStableGeneration.clear();
    for (const groupId of Object.keys(GROUPS)) {
      const loaded = this.coordinator.group(groupId)?.generationId ?? 0;
      const persisted = this.persistedGeneration.get(groupId) ?? 0;
      if (loaded !== persisted)
        this.fail(`${groupId} reloaded at generation ${loaded}, log has ${persisted}`);
    }
  }

  private restartCoordinator(): void {
    this.stats.restarts++;
    const epoch = this.coordinatorEpoch;
    // The crash loses whatever was not flushed: records never durable, responses never sent.
    for (const u of this.unflushed) if (u.effect.type === 'append') this.stats.lostAppends++;
    this.unflushed = [];
    this.startCoordinator();
    // Connections to the old coordinator break: whoever waited on it retries.
    for (const [id, p] of this.pending) {
      if (p.coordinatorEpoch === epoch) {
        this.pending.delete(id);
        if (p.consumer.incarnation === p.incarnation) this.at(this.time + 5, () => p.consumer.disconnected());
      }
    }
  }

  private deliver(requestId: number, apiVersion: number): void {
    const p = this.pending.get(requestId);
    if (!p) return;
    p.coordinatorEpoch = this.coordinatorEpoch;
    const before = this.snapshotForCommit(p);
    const input = {
      api: p.api,
      context: { requestId, apiVersion, clientId: p.consumer.name, clientHost: '/sim' },
      request: p.request,
    } as GroupRequest;
    this.apply(this.coordinator.handle(input), before);
  }

  /** The group's generation and state when a commit reaches the coordinator, to judge its answer. */
  private snapshotForCommit(p: Pending): { generation: number; state: string } | undefined {
    if (p.api !== 'OffsetCommit') return undefined;
    const req = p.request as GroupApis['OffsetCommit']['request'];
    const group = this.coordinator.group(req.groupId);
    return { generation: group?.generationId ?? -1, state: group?.state ?? 'none' };
  }

  /**
   * The shell: effects wait, in order, until the next flush makes the appends durable; only then do
   * the responses behind them go out. A restart loses what was not flushed.
   */
  private apply(effects: GroupEffect[], commitContext?: { generation: number; state: string }): void {
    for (const effect of effects) this.unflushed.push({ effect, commitContext });
    if (!this.flushScheduled && this.unflushed.length > 0) {
      this.flushScheduled = true;
      this.at(this.time + 1 + this.random.int(10), () => this.flush());
    }
    if (this.crashBeforeFlush && effects.some((e) => e.type === 'append')) {
      // The coordinator's broker dies with these records still unflushed.
      this.crashBeforeFlush = false;
      this.at(this.time, () => this.restartCoordinator());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.unflushed;
    this.unflushed = [];
    const epoch = this.coordinatorEpoch;
    for (const { effect: e, commitContext } of batch) {
      if (e.type === 'append') {
        const log = this.log.get(e.partition) ?? [];
        for (const r of e.records) {
          log.push(groupRecordCodec.encode(r));
          if (r.type !== 'GroupMetadata' || !r.value) continue;
          const before = this.persistedGeneration.get(r.key.group) ?? 0;
          if (r.value.generation < before) {
            this.fail(`${r.key.group}: durable generation went back from ${before} to ${r.value.generation}`);
          }
          this.persistedGeneration.set(r.key.group, r.value.generation);
        }
        this.log.set(e.partition, log);
        continue;
      }
      const p = this.pending.get(e.requestId);
      if (!p) continue;
      this.pending.delete(e.requestId);
      this.observe(p, e.api, e.response, commitContext);
      if (p.consumer.incarnation !== p.incarnation) continue;
      this.at(this.time + 1 + this.random.int(20), () => {
        // A response from a coordinator that has since restarted never arrives.
        if (epoch === this.coordinatorEpoch) p.onResponse(e.response);
        else p.consumer.disconnected();
      });
    }
  }

  /** What the shell sees go out: acknowledged commits and handed-out assignments. */
  private observe(
    p: Pending,
    api: GroupApi,
    response: unknown,
    commitContext?: { generation: number; state: string },
  ) {
    if (api === 'OffsetCommit') {
      const req = p.request as GroupApis['OffsetCommit']['request'];
      const res = response as GroupApis['OffsetCommit']['response'];
      res.topics.forEach((t, ti) => {
        t.partitions.forEach((part, pi) => {
          const sent = req.topics[ti]!.partitions[pi]!;
          if (part.errorCode !== ErrorCode.NONE) {
            if (commitContext && req.generationIdOrMemberEpoch !== commitContext.generation)
              this.stats.staleRejected++;
            return;
          }
          const ctx = commitContext!;
          const validGeneration =
            req.generationIdOrMemberEpoch === ctx.generation &&
            (ctx.state === 'Stable' || ctx.state === 'PreparingRebalance');
          if (!validGeneration) {
            this.fail(
              `commit of generation ${req.generationIdOrMemberEpoch} accepted in ${ctx.state} generation ${ctx.generation}`,
            );
          }
          this.acknowledged.set(`${req.groupId}/${t.name}/${sent.partitionIndex}`, sent.committedOffset);
          this.stats.commitsAcked++;
        });
      });
    } else if (api === 'SyncGroup') {
      const req = p.request as GroupApis['SyncGroup']['request'];
      const res = response as GroupApis['SyncGroup']['response'];
      if (res.errorCode !== ErrorCode.NONE) return;
      const owner = p.consumer.groupInstanceId ?? req.memberId;
      const key = `${req.groupId}@${req.generationId}`;
      const owners = this.handedOut.get(key) ?? new Map<string, string>();
      for (const tp of decodeAssignment(res.assignment)) {
        for (const partition of tp.partitions) {
          const prev = owners.get(`${tp.topic}-${partition}`);
          if (prev !== undefined && prev !== owner) {
            this.fail(`${tp.topic}-${partition} handed to ${prev} and ${owner} in ${key}`);
          }
          owners.set(`${tp.topic}-${partition}`, owner);
        }
      }
      this.handedOut.set(key, owners);
    }
  }

  private check(): void {
    for (const groupId of Object.keys(GROUPS)) {
      const group = this.coordinator.group(groupId);
      if (!group) continue;
      const last = this.lastGeneration.get(groupId) ?? 0;
      if (group.generationId < last)
        this.fail(`${groupId} generation went back from ${last} to ${group.generationId}`);
      this.lastGeneration.set(groupId, group.generationId);
      if (group.state !== 'Stable') continue;
      const lastStable = this.lastStableGeneration.get(groupId) ?? 0;
      if (group.generationId < lastStable)
        this.fail(`${groupId} stable generation went back to ${group.generationId}`);
      if (group.generationId > lastStable) this.stats.rebalances++;
      this.lastStableGeneration.set(groupId, group.generationId);
      const owner = new Map<string, string>();
      for (const m of group.members.values()) {
        for (const tp of decodeAssignment(m.assignment)) {
          for (const partition of tp.partitions) {
            const k = `${tp.topic}-${partition}`;
            if (owner.has(k))
              this.fail(
                `${groupId} gen ${group.generationId}: ${k} owned by ${owner.get(k)} and ${m.memberId}`,
              );
            owner.set(k, m.memberId);
          }
        }
      }
    }
    // Offsets applied but not yet durable have no acknowledgement yet: compare when all is flushed.
    if (this.unflushed.length > 0) return;
    for (const [key, offset] of this.acknowledged) {
      const [groupId, topic, partition] = key.split('/');
      const held = this.coordinator.committedOffset(groupId!, topic!, Number(partition))?.offset;
      if (held !== offset)
        this.fail(`${key}: coordinator holds ${held}, last acknowledged commit was ${offset}`);
    }
    if (this.coordinator.committedOffsetCount() !== this.acknowledged.size) {
      this.fail(
        `coordinator holds ${this.coordinator.committedOffsetCount()} offsets, ${this.acknowledged.size} acknowledged`,
      );
    }
  }

  /** After the quiet period every live consumer is Stable in its group's current generation. */
  private checkSettled(): void {
    for (const groupId of Object.keys(GROUPS)) {
      const live = this.consumers.filter((c) => c.groupId === groupId && c.alive);
      const group = this.coordinator.group(groupId);
      if (live.length === 0) continue;
      if (group?.state !== 'Stable') this.fail(`${groupId} did not settle: ${group?.state}`);
      const ids = live.map((c) => c.memberId).sort();
      const members = [...group.members.keys()].sort();
      if (ids.join() !== members.join()) this.fail(`${groupId} members ${members} but live consumers ${ids}`);
      for (const c of live) {
        if (c.state !== 'stable' || c.generationId !== group.generationId) {
          this.fail(
            `${c.name} is ${c.state} at generation ${c.generationId}, group at ${group.generationId}`,
          );
        }
      }
    }
  }

  private spawn(): void {
    const groupIds = Object.keys(GROUPS);
    const groupId = groupIds[this.random.int(groupIds.length)]!;
    const n = this.consumers.length;
    const isStatic = this.random.int(3) === 0;
    const c = new SimConsumer(
      this,
      `c${n}`,
      groupId,
      GROUPS[groupId]!,
      isStatic ? `instance-${n}` : null,
      isStatic ? 9 : [3, 4, 9][this.random.int(3)]!,
      6_000 + this.random.int(4_000),
      5_000 + this.random.int(10_000),
    );
    this.consumers.push(c);
    c.start();
  }

  private fault(): void {
    const live = this.consumers.filter((c) => c.alive);
    const pick = <T>(xs: T[]): T | undefined => xs[this.random.int(xs.length)];
    const roll = this.random.int(100);
    if (roll < 30 && live.length < 10) this.spawn();
    else if (roll < 40) pick(live)?.crash();
    else if (roll < 50) pick(live)?.leave();
    else if (roll < 60) {
      const c = pick(live);
      if (c) c.slowUntilMs = this.time + c.sessionTimeoutMs + this.random.int(5_000);
    } else if (roll < 68) {
      // A crashed static member comes back as a new process with the same instance id.
      pick(this.consumers.filter((c) => c.state === 'crashed' && c.groupInstanceId !== null))?.start();
    } else if (roll < 80) pick(live)?.commitStale();
    else if (roll < 82) this.restartCoordinator();
    else if (roll < 85) this.crashBeforeFlush = true;
  }
}
