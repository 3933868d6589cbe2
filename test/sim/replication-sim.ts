import {
  type FollowerLogEffect,
  type FollowerRequest,
  PartitionFollower,
} from '../../src/broker/replication/partition-follower.js';
import type { LeaderEffect } from '../../src/broker/replication/partition-leader.js';
import { PartitionLeader } from '../../src/broker/replication/partition-leader.js';
import type {
  AlterPartitionAnswer,
  AlterPartitionProposal,
} from '../../src/broker/replication/replication-types.js';
import { SeededRandom } from '../../src/common/random.js';
import { applyMetadataRecord } from '../../src/metadata/apply-metadata-record.js';
import { alterPartition } from '../../src/metadata/controller/alter-partition.js';
import type { MetadataRecord } from '../../src/metadata/controller/metadata-record.js';
import {
  acceptableBroker,
  brokerAvailable,
  brokerUnavailable,
  type ElectionSettings,
  ElectionType,
  electLeaders,
} from '../../src/metadata/controller/partition-elections.js';
import { MetadataImage } from '../../src/metadata/metadata-image.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { type SimEntry, SimReplicaLog } from './sim-replica-log.js';

export class ReplicationSimulationFailure extends Error {}

/** Rules a test may break on purpose, to show the simulation catches each. */
export interface BrokenRules {
  /** Followers fetch at once on a new leader epoch, without truncating first (no KIP-101). */
  readonly followerSkipsTruncation?: boolean;
  /** The controller treats every restart as clean, so a broker that lost unflushed records stays electable (no KIP-966 unclean-shutdown rule). */
  readonly restartsLookClean?: boolean;
}

const BROKERS = [1, 2, 3];
const PARTITIONS = [0, 1];
const TOPIC = 'sim';
const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAw';
const CONTROLLER = 0;
const SESSION_TIMEOUT_MS = 600;
const HEARTBEAT_MS = 100;
const REQUEST_TIMEOUT_MS = 300;
const PRODUCE_TIMEOUT_MS = 1500;
const CONFIG = { replicaLagTimeMaxMs: 400, minInsyncReplicas: 2 };
const SETTINGS: ElectionSettings = {
  minInsyncReplicas: () => CONFIG.minInsyncReplicas,
  uncleanLeaderElectionEnable: () => false,
  eligibleLeaderReplicasEnabled: true,
};

interface Acked {
  readonly partition: number;
  readonly offset: number;
  readonly value: number;
}

type Message =
  | { kind: 'replica'; partition: number; incarnation: number; req: FollowerRequest }
  | {
      kind: 'replicaAnswer';
      partition: number;
      incarnation: number;
      req: FollowerRequest;
      errorCode: number;
      offset: number;
      epoch: number;
      hw: number;
      records: SimEntry[] | null;
    }
  | { kind: 'produce'; partition: number; requestId: number; value: number }
  | { kind: 'produced'; partition: number; requestId: number; errorCode: number; offset: number }
  | { kind: 'alter'; partition: number; seq: number; proposal: AlterPartitionProposal }
  | { kind: 'altered'; partition: number; seq: number; answer: AlterPartitionAnswer }
  | { kind: 'heartbeat'; brokerEpoch: bigint; register: boolean; clean: boolean }
  | { kind: 'heartbeatAnswer'; brokerEpoch: bigint; fenced: boolean }
  | { kind: 'metadata'; upTo: number }
  | { kind: 'shutdown'; brokerEpoch: bigint }
  | { kind: 'shutdownAnswer'; brokerEpoch: bigint };

/** A broker: disks that outlive it, and the state a process crash loses. */
class SimBroker {
  readonly logs = new Map<number, SimReplicaLog>(PARTITIONS.map((p) => [p, new SimReplicaLog()]));
  alive = true;
  pausedUntil = 0;
  brokerEpoch: bigint;
  /** Whether the controller has answered a registration of `brokerEpoch` as live. */
  image = new MetadataImage();
  applied = 0;
  leaders = new Map<number, PartitionLeader>();
  followers = new Map<number, PartitionFollower<SimEntry[]>>();
  /** acks=all produce requests waiting: request id → producer node and offset. */
  waiting = new Map<number, { from: number; partition: number; offset: number }>();
  alterSeq = new Map<number, number>();
  /** What a paused process would have done: messages received and timers fired, run when it resumes. */
  held: (() => void)[] = [];
  cleanRestart = true;
  readonly pumpAt = new Map<number, number>();
  static incarnations = 0;
  /** Told apart from the process before a crash, whose answers may still be on the way. */
  readonly incarnation = ++SimBroker.incarnations;

  constructor(
    readonly id: number,
    epoch: bigint,
  ) {
    this.brokerEpoch = epoch;
  }

  /** Leads only with its own current registration unfenced in its image (a fenced broker stops leading). */
  registeredLive(): boolean {
    const b = this.image.brokers.get(this.id);
    return b !== undefined && !b.fenced && b.brokerEpoch === this.brokerEpoch;
  }
}

/**
 * Replication of two partitions (replication factor 3, min.insync.replicas 2) on three brokers,
 * with the pure controller over an in-memory metadata log, producers with acks=all, and a network
 * that delays, drops, duplicates and reorders messages, driven by one seed. Faults: process
 * crashes (the page cache survives), machine crashes of one "lossy" broker (its unflushed writes
 * are lost), network partitions, and pauses past the session timeout, so that leaders are fenced
 * by lease expiry while they still believe they lead.
 *
 * Invariants after every event (ReplicationSimulationFailure, with the seed, when one breaks):
 * - an acknowledged record is in some replica's log at its offset (only one broker may lose
 *   unflushed writes, so an ISR member's disk always survives), and after the faults, in every log;
 * - a leader's high watermark never goes backwards within its leader epoch;
 * - at most one broker appends as leader in a partition's leader epoch;
 * - below the leader's high watermark, every ISR member's log is the leader's.
 */
export class ReplicationSimulation {
  readonly stats = {
    events: 0,
    acked: 0,
    crashes: 0,
    machineCrashes: 0,
    pauses: 0,
    shutdowns: 0,
    partitions: 0,
    elections: 0,
    truncations: 0,
    offlineAtEnd: 0,
  };
  private readonly rng: SeededRandom;
  private now = 0;
  private seq = 0;
  private queue: { at: number; seq: number; fn: () => void }[] = [];
  private readonly controllerImage = new MetadataImage();
  private readonly metadataLog: MetadataRecord[] = [];
  private readonly lastHeartbeat = new Map<number, number>();
  private readonly brokers = new Map<number, SimBroker>();
  private readonly lossy: number;
  private cut = new Set<string>();
  private faultsUntil: number;
  private readonly acked: Acked[] = [];
  private readonly writerOfEpoch = new Map<string, number>();
  private readonly hwOfEpoch = new Map<string, number>();
  private nextValue = 1;
  /** Set by what can remove or rewrite records (truncation, restarts, leader and ISR changes): check everything then. */
  private dirty = true;
  private nextRequestId = 1;

  constructor(
    readonly seed: number,
    private readonly broken: BrokenRules = {},
    private readonly durationMs = 5000,
  ) {
    this.rng = new SeededRandom(seed);
    this.lossy = BROKERS[this.rng.int(BROKERS.length)]!;
    this.faultsUntil = durationMs - 2000;
  }

  run(): void {
    this.bootstrap();
    for (const b of this.brokers.values()) this.startBroker(b);
    for (const p of PARTITIONS) this.schedule(10, () => this.produce(p));
    this.schedule(50, () => this.controllerTick());
    this.schedule(200 + this.rng.int(300), () => this.fault());
    while (this.queue.length > 0 && this.now <= this.durationMs) {
      const e = this.queue.shift()!;
      this.now = e.at;
      e.fn();
      this.stats.events++;
      this.checkInvariants();
    }
    for (const p of PARTITIONS)
      if (this.controllerImage.partition(TOPIC, p)!.leader < 0) this.stats.offlineAtEnd++;
    this.checkConverged();
  }

  private fail(msg: string): never {
    throw new ReplicationSimulationFailure(
      `seed ${this.seed} at t=${this.now}: ${msg} (replay: SIM_SEED=${this.seed})`,
    );
  }

  private schedule(delayMs: number, fn: () => void): void {
    const e = { at: this.now + delayMs, seq: this.seq++, fn };
    let i = this.queue.length;
    while (
      i > 0 &&
      (this.queue[i - 1]!.at > e.at || (this.queue[i - 1]!.at === e.at && this.queue[i - 1]!.seq > e.seq))
    )
      i--;
    this.queue.splice(i, 0, e);
  }

  // ---- network ---------------------------------------------------------------------------------

  private send(from: number, to: number, msg: Message): void {
    if (this.cut.has(`${from}-${to}`)) return;
    const faulty = this.now < this.faultsUntil;
    if (faulty && this.rng.next() < 0.03) return;
    const copies = faulty && this.rng.next() < 0.02 ? 2 : 1;
    for (let i = 0; i < copies; i++)
      this.schedule(1 + this.rng.int(faulty ? 25 : 5), () => this.deliver(from, to, msg));
  }

  private deliver(from: number, to: number, msg: Message): void {
    if (this.cut.has(`${from}-${to}`)) return;
    if (to === CONTROLLER) {
      this.controllerReceive(from, msg);
      return;
    }
    if (to >= 100) {
      this.producerReceive(msg);
      return;
    }
    const b = this.brokers.get(to)!;
    if (!b.alive) return;
    if (b.pausedUntil > this.now) {
      b.held.push(() => this.brokerReceive(b, from, msg));
      return;
    }
    this.brokerReceive(b, from, msg);
  }

  /** A timer of broker process `b`: not run once it crashed, held while it is paused. */
  private brokerTimer(b: SimBroker, delayMs: number, fn: () => void): void {
    this.schedule(delayMs, () => {
      if (!b.alive || this.brokers.get(b.id) !== b) return;
      if (b.pausedUntil > this.now) b.held.push(fn);
      else fn();
    });
  }

  // ---- controller (the active controller over the metadata log in etcd) ------------------------

  private bootstrap(): void {
    for (const id of BROKERS) {
      const b = new SimBroker(id, 1n);
      this.brokers.set(id, b);
      this.commit([registration(id, 1n, false)]);
      this.lastHeartbeat.set(id, 0);
    }
    this.commit([{ type: 'TopicRecord', data: { name: TOPIC, topicId: TOPIC_ID } }]);
    for (const p of PARTITIONS) {
      const replicas = [...BROKERS.slice(p % 3), ...BROKERS.slice(0, p % 3)];
      this.commit([
        {
          type: 'PartitionRecord',
          data: {
            partitionId: p,
            topicId: TOPIC_ID,
            replicas,
            isr: replicas,
            removingReplicas: [],
            addingReplicas: [],
            leader: replicas[0]!,
            leaderEpoch: 0,
            partitionEpoch: 0,
            leaderRecoveryState: 0,
            directories: [],
          },
        },
      ]);
    }
  }

  private commit(records: readonly MetadataRecord[]): void {
    for (const r of records) {
      applyMetadataRecord(this.controllerImage, r);
      this.metadataLog.push(r);
      if (r.type === 'PartitionChangeRecord' && r.data.leader !== -2) this.stats.elections++;
    }
    if (records.length > 0)
      for (const id of BROKERS)
        this.send(CONTROLLER, id, { kind: 'metadata', upTo: this.metadataLog.length });
  }

  private controllerTick(): void {
    for (const id of BROKERS) {
      const reg = this.controllerImage.brokers.get(id)!;
      if (!reg.fenced && this.now - this.lastHeartbeat.get(id)! > SESSION_TIMEOUT_MS) {
        // The session lease expired: fenced, out of every ISR, its partitions led elsewhere.
        this.commit([
          {
            type: 'BrokerRegistrationChangeRecord',
            data: {
              brokerId: id,
              brokerEpoch: reg.brokerEpoch,
              fenced: 1,
              inControlledShutdown: 0,
              logDirs: [],
            },
          },
        ]);
        this.commit(brokerUnavailable(this.controllerImage, id, SETTINGS).records);
      }
      // Metadata is also pulled, so a lost delivery is only late.
      this.send(CONTROLLER, id, { kind: 'metadata', upTo: this.metadataLog.length });
    }
    // auto.leader.rebalance.enable: now and then leadership goes back to preferred replicas.
    if (this.rng.next() < 0.02)
      this.commit(electLeaders(this.controllerImage, ElectionType.PREFERRED, null, SETTINGS).records);
    this.schedule(50, () => this.controllerTick());
  }

  private controllerReceive(from: number, msg: Message): void {
    if (msg.kind === 'shutdown') {
      // Controlled shutdown (Kafka's BrokerHeartbeat with wantShutDown): leadership and ISR
      // membership move off the broker before it stops.
      const reg = this.controllerImage.brokers.get(from)!;
      if (reg.brokerEpoch === msg.brokerEpoch && !reg.fenced && !reg.inControlledShutdown) {
        this.commit([
          {
            type: 'BrokerRegistrationChangeRecord',
            data: {
              brokerId: from,
              brokerEpoch: reg.brokerEpoch,
              fenced: 0,
              inControlledShutdown: 1,
              logDirs: [],
            },
          },
        ]);
        this.commit(brokerUnavailable(this.controllerImage, from, SETTINGS).records);
      }
      this.send(CONTROLLER, from, { kind: 'shutdownAnswer', brokerEpoch: msg.brokerEpoch });
      return;
    }
    if (msg.kind === 'heartbeat') {
      const reg = this.controllerImage.brokers.get(from)!;
      if (msg.register && msg.brokerEpoch > reg.brokerEpoch) {
        // A new incarnation: the old one is fenced first (out of the ISRs), then the new one joins.
        this.commit([registration(from, msg.brokerEpoch, true)]);
        this.commit(brokerUnavailable(this.controllerImage, from, SETTINGS).records);
        this.commit([
          {
            type: 'BrokerRegistrationChangeRecord',
            data: {
              brokerId: from,
              brokerEpoch: msg.brokerEpoch,
              fenced: -1,
              inControlledShutdown: 0,
              logDirs: [],
            },
          },
        ]);
        const clean = msg.clean || this.broken.restartsLookClean === true;
        this.commit(brokerAvailable(this.controllerImage, from, clean, SETTINGS).records);
      }
      const now = this.controllerImage.brokers.get(from)!;
      if (now.brokerEpoch === msg.brokerEpoch && !now.fenced) this.lastHeartbeat.set(from, this.now);
      this.send(CONTROLLER, from, {
        kind: 'heartbeatAnswer',
        brokerEpoch: msg.brokerEpoch,
        fenced: now.brokerEpoch !== msg.brokerEpoch || now.fenced,
      });
      return;
    }
    if (msg.kind === 'alter') {
      const p = msg.proposal;
      const r = alterPartition(
        this.controllerImage,
        {
          brokerId: from,
          brokerEpoch: p.newIsr.find((m) => m.brokerId === from)?.brokerEpoch ?? -1n,
          topics: [
            {
              topicName: '',
              topicId: p.topicId,
              partitions: [
                {
                  partitionIndex: p.partitionId,
                  leaderEpoch: p.leaderEpoch,
                  partitionEpoch: p.partitionEpoch,
                  newIsr: [],
                  newIsrWithEpochs: p.newIsr.map((m) => ({ ...m })),
                  leaderRecoveryState: 0,
                },
              ],
            },
          ],
        },
        SETTINGS,
      );
      this.commit(r.records);
      const pd = r.response.topics[0]?.partitions[0];
      const answer: AlterPartitionAnswer =
        r.response.errorCode !== ErrorCode.NONE || pd === undefined
          ? { errorCode: r.response.errorCode || ErrorCode.UNKNOWN_SERVER_ERROR }
          : pd.errorCode !== ErrorCode.NONE
            ? { errorCode: pd.errorCode }
            : { errorCode: 0, leaderEpoch: pd.leaderEpoch, partitionEpoch: pd.partitionEpoch, isr: pd.isr };
      this.send(CONTROLLER, from, { kind: 'altered', partition: msg.partition, seq: msg.seq, answer });
    }
  }

  // ---- brokers -----------------------------------------------------------------------------------

  private startBroker(b: SimBroker): void {
    this.heartbeat(b, true);
    this.brokerTick(b);
  }

  private heartbeat(b: SimBroker, register: boolean): void {
    if (!b.alive) return;
    this.send(b.id, CONTROLLER, {
      kind: 'heartbeat',
      brokerEpoch: b.brokerEpoch,
      register,
      clean: b.cleanRestart,
    });
    const epoch = b.brokerEpoch;
    this.brokerTimer(b, HEARTBEAT_MS, () => {
      if (b.brokerEpoch === epoch) this.heartbeat(b, register && !b.registeredLive());
    });
  }

  private brokerTick(b: SimBroker): void {
    for (const [p, l] of b.leaders) this.runLeader(b, p, l.tick(this.now));
    if (this.rng.next() < 0.3) for (const log of b.logs.values()) log.flush();
    this.brokerTimer(b, 50, () => this.brokerTick(b));
  }

  private brokerReceive(b: SimBroker, from: number, msg: Message): void {
    switch (msg.kind) {
      case 'metadata':
        this.applyMetadata(b, msg.upTo);
        return;
      case 'shutdownAnswer':
        // Leadership has moved: let the metadata reach this broker, then stop.
        if (msg.brokerEpoch === b.brokerEpoch) this.brokerTimer(b, 100, () => this.stopCleanly(b));
        return;
      case 'heartbeatAnswer':
        if (msg.fenced && msg.brokerEpoch === b.brokerEpoch) {
          // Our session is gone: stop leading, register again under a new epoch (no data was lost).
          for (const [p, l] of b.leaders) this.runLeader(b, p, l.resign());
          b.leaders.clear();
          b.brokerEpoch++;
          b.cleanRestart = true;
          this.heartbeat(b, true);
        }
        return;
      case 'replica':
        this.serveReplica(b, from, msg.partition, msg.incarnation, msg.req);
        return;
      case 'replicaAnswer':
        if (msg.incarnation === b.incarnation) this.followerAnswer(b, msg);
        return;
      case 'produce':
        this.serveProduce(b, from, msg);
        return;
      case 'altered': {
        if (b.alterSeq.get(msg.partition) !== msg.seq) return;
        b.alterSeq.delete(msg.partition);
        const l = b.leaders.get(msg.partition);
        if (l) this.runLeader(b, msg.partition, l.onAlterPartitionAnswer(msg.answer, this.now));
        return;
      }
    }
  }

  private applyMetadata(b: SimBroker, upTo: number): void {
    if (upTo <= b.applied) return;
    for (; b.applied < upTo; b.applied++) applyMetadataRecord(b.image, this.metadataLog[b.applied]!);
    this.dirty = true;
    for (const p of PARTITIONS) this.reconcile(b, p);
  }

  /** Kafka's ReplicaManager.applyDelta for one partition: become leader, follower, or neither. */
  private reconcile(b: SimBroker, p: number): void {
    const ps = b.image.partition(TOPIC, p);
    if (ps === undefined) return;
    const log = b.logs.get(p)!;
    const current = b.leaders.get(p);
    if (ps.leader === b.id && b.registeredLive()) {
      if (current === undefined || current.leaderEpoch !== ps.leaderEpoch) {
        if (current) this.runLeader(b, p, current.resign());
        b.followers.get(p)?.stop();
        log.assignEpochStart(ps.leaderEpoch);
        const leader = new PartitionLeader({
          topicId: TOPIC_ID,
          partitionId: p,
          localBrokerId: b.id,
          leaderEpoch: ps.leaderEpoch,
          partitionEpoch: ps.partitionEpoch,
          replicas: ps.replicas,
          isr: ps.isr,
          logEndOffset: log.logEndOffset,
          highWatermark: log.highWatermark,
          nowMs: this.now,
          config: CONFIG,
          isrEligibility: (id) =>
            acceptableBroker(b.image, id) ? b.image.brokers.get(id)!.brokerEpoch : null,
        });
        b.leaders.set(p, leader);
        b.alterSeq.delete(p);
        this.runLeader(b, p, leader.onLocalAppend(log.logEndOffset, this.now));
      } else if (ps.partitionEpoch > current.partitionEpoch) {
        this.runLeader(b, p, current.onPartitionChange(ps.isr, ps.partitionEpoch, this.now));
      }
      return;
    }
    if (current) {
      this.runLeader(b, p, current.resign());
      b.leaders.delete(p);
    }
    let f = b.followers.get(p);
    if (ps.leader < 0 || ps.leader === b.id || !ps.replicas.includes(b.id)) {
      f?.stop();
      return;
    }
    if (f === undefined) {
      f = new PartitionFollower<SimEntry[]>(log, { fetchBackoffMs: 100 });
      b.followers.set(p, f);
    }
    this.runFollower(b, p, f.becomeFollower(ps.leader, ps.leaderEpoch));
    if (this.broken.followerSkipsTruncation === true && f.stateName === 'truncating') {
      // The broken rule: fetch right away, as if the log had nothing to give up.
      (f as unknown as { state: { kind: string } }).state = { kind: 'fetching' };
    }
    this.pump(b, p);
  }

  private runLeader(b: SimBroker, p: number, effects: LeaderEffect[]): void {
    const log = b.logs.get(p)!;
    for (const e of effects) {
      if (e.type === 'highWatermark') {
        log.setHighWatermark(e.highWatermark);
        const key = `${p}/${b.leaders.get(p)?.leaderEpoch}`;
        if (e.highWatermark < (this.hwOfEpoch.get(key) ?? 0))
          this.fail(`the high watermark of ${key} went back to ${e.highWatermark}`);
        this.hwOfEpoch.set(key, e.highWatermark);
      } else if (e.type === 'alterPartition') {
        const seq = this.seq++;
        b.alterSeq.set(p, seq);
        this.send(b.id, CONTROLLER, { kind: 'alter', partition: p, seq, proposal: e.proposal });
        this.brokerTimer(b, REQUEST_TIMEOUT_MS, () => {
          const l = b.leaders.get(p);
          if (b.alterSeq.get(p) === seq && l) {
            b.alterSeq.delete(p);
            this.runLeader(b, p, l.onAlterPartitionFailed());
          }
        });
      } else {
        const w = b.waiting.get(e.requestId);
        if (w === undefined) continue;
        b.waiting.delete(e.requestId);
        this.send(b.id, w.from, {
          kind: 'produced',
          partition: p,
          requestId: e.requestId,
          errorCode: e.errorCode,
          offset: w.offset,
        });
      }
    }
  }

  private serveProduce(b: SimBroker, from: number, msg: Extract<Message, { kind: 'produce' }>): void {
    const l = b.leaders.get(msg.partition);
    const answer = (errorCode: number) =>
      this.send(b.id, from, {
        kind: 'produced',
        partition: msg.partition,
        requestId: msg.requestId,
        errorCode,
        offset: -1,
      });
    if (l === undefined) {
      answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      return;
    }
    const check = l.checkProduce(-1);
    if (check !== ErrorCode.NONE) {
      answer(check);
      return;
    }
    const log = b.logs.get(msg.partition)!;
    const key = `${msg.partition}/${l.leaderEpoch}`;
    const writer = this.writerOfEpoch.get(key);
    if (writer !== undefined && writer !== b.id)
      this.fail(`brokers ${writer} and ${b.id} both appended as leader of ${key}`);
    this.writerOfEpoch.set(key, b.id);
    const offset = log.logEndOffset;
    log.append([{ epoch: l.leaderEpoch, value: msg.value }]);
    b.waiting.set(msg.requestId, { from, partition: msg.partition, offset });
    this.runLeader(b, msg.partition, l.onLocalAppend(log.logEndOffset, this.now));
    this.runLeader(b, msg.partition, l.awaitReplication(msg.requestId, offset));
    this.brokerTimer(b, PRODUCE_TIMEOUT_MS, () => {
      if (b.leaders.get(msg.partition) === l) this.runLeader(b, msg.partition, l.expire(msg.requestId));
    });
  }

  private serveReplica(
    b: SimBroker,
    from: number,
    p: number,
    incarnation: number,
    req: FollowerRequest,
  ): void {
    const log = b.logs.get(p)!;
    const l = b.leaders.get(p);
    const answer = (a: { errorCode: number; offset?: number; epoch?: number; records?: SimEntry[] | null }) =>
      this.send(b.id, from, {
        kind: 'replicaAnswer',
        partition: p,
        incarnation,
        req,
        errorCode: a.errorCode,
        offset: a.offset ?? -1,
        epoch: a.epoch ?? -1,
        hw: log.highWatermark,
        records: a.records ?? null,
      });
    if (l === undefined) {
      answer({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
      return;
    }
    const check = l.checkFollowerFetch(from, req.currentLeaderEpoch);
    if (check !== ErrorCode.NONE) {
      answer({ errorCode: check });
      return;
    }
    if (req.type === 'offsetsForLeaderEpoch') {
      const r = log.endOffsetForEpoch(req.leaderEpoch);
      answer({ errorCode: 0, offset: r.endOffset, epoch: r.epoch });
      return;
    }
    if (req.type === 'listOffsets') {
      answer({ errorCode: 0, offset: req.which === 'latest' ? log.logEndOffset : log.logStartOffset });
      return;
    }
    if (req.fetchOffset > log.logEndOffset || req.fetchOffset < log.logStartOffset) {
      answer({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
      return;
    }
    const records = log.entries.slice(
      req.fetchOffset - log.logStartOffset,
      req.fetchOffset - log.logStartOffset + 4,
    );
    this.runLeader(b, p, l.onFollowerFetch(from, req.fetchOffset, this.now));
    answer({ errorCode: 0, records: records.length > 0 ? records : null });
  }

  private pump(b: SimBroker, p: number): void {
    const f = b.followers.get(p);
    if (!f || !b.alive || b.pausedUntil > this.now) return;
    const req = f.poll(this.now);
    if (req === null) {
      const at = f.nextPollMs();
      if (at !== null && at > this.now && b.pumpAt.get(p) !== at) {
        b.pumpAt.set(p, at);
        this.brokerTimer(b, at - this.now, () => this.pump(b, p));
      }
      return;
    }
    this.send(b.id, req.leaderId, { kind: 'replica', partition: p, incarnation: b.incarnation, req });
    this.brokerTimer(b, REQUEST_TIMEOUT_MS, () => {
      if (b.followers.get(p) !== f) return;
      f.onRequestFailed(req.seq, this.now);
      this.pump(b, p);
    });
  }

  private followerAnswer(b: SimBroker, msg: Extract<Message, { kind: 'replicaAnswer' }>): void {
    const p = msg.partition;
    const f = b.followers.get(p);
    if (!f) return;
    const req = msg.req;
    let effects: FollowerLogEffect<SimEntry[]>[] = [];
    if (req.type === 'offsetsForLeaderEpoch')
      effects = f.onOffsetsForLeaderEpoch(
        req.seq,
        { errorCode: msg.errorCode, leaderEpoch: msg.epoch, endOffset: msg.offset },
        this.now,
      );
    else if (req.type === 'listOffsets')
      effects = f.onListOffsets(req.seq, { errorCode: msg.errorCode, offset: msg.offset }, this.now);
    else
      effects = f.onFetch(
        req.seq,
        { errorCode: msg.errorCode, highWatermark: msg.hw, logStartOffset: 0, records: msg.records },
        this.now,
      );
    this.runFollower(b, p, effects);
    const idle = req.type === 'fetch' && msg.errorCode === 0 && msg.records === null;
    // An empty fetch waits a little before the next one, as a leader holds it for replica.fetch.wait.max.ms.
    if (idle) this.brokerTimer(b, 50, () => this.pump(b, p));
    else this.pump(b, p);
  }

  private runFollower(b: SimBroker, p: number, effects: FollowerLogEffect<SimEntry[]>[]): void {
    const log = b.logs.get(p)!;
    for (const e of effects) {
      if (e.type === 'truncate') {
        this.stats.truncations++;
        log.truncateTo(e.offset);
        this.dirty = true;
      } else if (e.type === 'truncateFullyAndStartAt') {
        log.truncateFullyAndStartAt(e.offset);
        this.dirty = true;
      } else if (e.type === 'append') log.append(e.records);
      else log.setHighWatermark(e.highWatermark);
    }
  }

  // ---- producers ------------------------------------------------------------------------------

  private readonly inFlight = new Map<number, { requestId: number; value: number }>();

  private produce(p: number): void {
    if (this.now > this.durationMs - 500) return;
    // The producer's metadata: what some broker (or the controller) said the leader is.
    const sources = [this.controllerImage, ...[...this.brokers.values()].map((b) => b.image)];
    const leader = sources[this.rng.int(sources.length)]!.partition(TOPIC, p)?.leader ?? -1;
    if (leader < 0) {
      this.schedule(50, () => this.produce(p));
      return;
    }
    const requestId = this.nextRequestId++;
    const value = this.nextValue++;
    this.inFlight.set(p, { requestId, value });
    this.send(100 + p, leader, { kind: 'produce', partition: p, requestId, value });
    this.schedule(PRODUCE_TIMEOUT_MS + 200, () => {
      if (this.inFlight.get(p)?.requestId === requestId) {
        this.inFlight.delete(p);
        this.produce(p);
      }
    });
  }

  private producerReceive(msg: Message): void {
    if (msg.kind !== 'produced') return;
    const current = this.inFlight.get(msg.partition);
    if (current?.requestId !== msg.requestId) return;
    this.inFlight.delete(msg.partition);
    if (msg.errorCode === ErrorCode.NONE) {
      this.acked.push({ partition: msg.partition, offset: msg.offset, value: current.value });
      this.stats.acked++;
    }
    this.schedule(msg.errorCode === ErrorCode.NONE ? 1 : 30, () => this.produce(msg.partition));
  }

  // ---- faults -----------------------------------------------------------------------------------

  private fault(): void {
    if (this.now >= this.faultsUntil) {
      this.heal();
      return;
    }
    const b = this.brokers.get(BROKERS[this.rng.int(BROKERS.length)]!)!;
    const kind = this.rng.int(5);
    if (kind === 0 && b.alive) this.crash(b, b.id === this.lossy && this.rng.next() < 0.7);
    else if (kind === 1 && b.alive) {
      this.stats.pauses++;
      const ms = 200 + this.rng.int(900);
      b.pausedUntil = this.now + ms;
      this.schedule(ms, () => this.resume(b));
    } else if (kind === 3 && b.alive && b.pausedUntil <= this.now) {
      this.stats.shutdowns++;
      this.send(b.id, CONTROLLER, { kind: 'shutdown', brokerEpoch: b.brokerEpoch });
      // controlled.shutdown: stop anyway if the controller does not answer in time.
      this.brokerTimer(b, 600, () => this.stopCleanly(b));
    } else if (kind === 2) {
      this.stats.partitions++;
      const others = [CONTROLLER, ...BROKERS.filter((x) => x !== b.id)];
      const cutFrom = others.filter(() => this.rng.next() < 0.6);
      for (const o of cutFrom) {
        this.cut.add(`${b.id}-${o}`);
        this.cut.add(`${o}-${b.id}`);
      }
      this.schedule(200 + this.rng.int(900), () => {
        for (const o of cutFrom) {
          this.cut.delete(`${b.id}-${o}`);
          this.cut.delete(`${o}-${b.id}`);
        }
      });
    }
    this.schedule(150 + this.rng.int(500), () => this.fault());
  }

  private crash(b: SimBroker, machine: boolean): void {
    this.stats.crashes++;
    if (machine) this.stats.machineCrashes++;
    this.stopAndRestart(b, machine, false);
  }

  /** The end of a controlled shutdown: everything flushed, a clean stop, then a restart. */
  private stopCleanly(b: SimBroker): void {
    if (!b.alive || this.brokers.get(b.id) !== b) return;
    for (const log of b.logs.values()) log.flush();
    this.stopAndRestart(b, false, true);
  }

  private stopAndRestart(b: SimBroker, lostUnflushed: boolean, clean: boolean): void {
    b.alive = false;
    this.schedule(100 + this.rng.int(600), () => {
      for (const log of b.logs.values()) log.restart(lostUnflushed);
      this.dirty = true;
      const fresh = new SimBroker(b.id, b.brokerEpoch + 1n);
      for (const [p, log] of b.logs) fresh.logs.set(p, log);
      fresh.cleanRestart = clean;
      this.brokers.set(b.id, fresh);
      this.startBroker(fresh);
    });
  }

  private resume(b: SimBroker): void {
    if (b.pausedUntil > this.now) return;
    const held = b.held;
    b.held = [];
    for (const fn of held) if (b.alive && this.brokers.get(b.id) === b) fn();
    for (const p of PARTITIONS) this.pump(b, p);
  }

  private heal(): void {
    this.cut.clear();
    for (const b of this.brokers.values()) {
      if (b.pausedUntil > this.now) {
        b.pausedUntil = this.now;
        this.resume(b);
      }
    }
  }

  // ---- invariants -------------------------------------------------------------------------------

  private checkInvariants(): void {
    // Between removals only the tail can change: the last acknowledged records, the offsets just
    // below the high watermark (it moves by at most one fetch of 4 records between ISR changes).
    const full = this.dirty;
    this.dirty = false;
    for (let i = full ? 0 : Math.max(0, this.acked.length - 2); i < this.acked.length; i++) {
      const a = this.acked[i]!;
      let held = false;
      for (const b of this.brokers.values())
        if (b.logs.get(a.partition)!.entryAt(a.offset)?.value === a.value) held = true;
      if (!held)
        this.fail(`acknowledged record ${a.value} at ${a.partition}@${a.offset} is in no replica's log`);
    }
    for (const p of PARTITIONS) {
      const ps = this.controllerImage.partition(TOPIC, p)!;
      const leader = this.brokers.get(ps.leader);
      const l = leader?.leaders.get(p);
      if (!leader?.alive || l === undefined || l.leaderEpoch !== ps.leaderEpoch) continue;
      const lLog = leader.logs.get(p)!;
      for (const r of ps.isr) {
        if (r === ps.leader) continue;
        const rLog = this.brokers.get(r)!.logs.get(p)!;
        const end = Math.min(lLog.highWatermark, rLog.logEndOffset);
        const from = Math.max(lLog.logStartOffset, rLog.logStartOffset, full ? 0 : end - 16);
        for (let o = from; o < end; o++) {
          const a = lLog.entryAt(o);
          const c = rLog.entryAt(o);
          if (a?.value !== c?.value || a?.epoch !== c?.epoch)
            this.fail(
              `partition ${p}: ISR member ${r} differs from leader ${ps.leader} at ${o}, below the high watermark ${lLog.highWatermark}`,
            );
        }
      }
    }
  }

  /** After the faults: every acknowledged record in every replica's log, and the logs equal up to the high watermark. */
  private checkConverged(): void {
    for (const a of this.acked) {
      // A partition whose every eligible replica stopped uncleanly stays offline without an
      // unclean election (unclean.leader.election.enable=false): its records wait on the disks.
      if (this.controllerImage.partition(TOPIC, a.partition)!.leader < 0) continue;
      for (const b of this.brokers.values()) {
        const e = b.logs.get(a.partition)!.entryAt(a.offset);
        if (e?.value !== a.value)
          this.fail(
            `after the faults, acknowledged record ${a.value} at ${a.partition}@${a.offset} is missing on broker ${b.id}`,
          );
      }
    }
  }
}

function registration(id: number, epoch: bigint, fenced: boolean): MetadataRecord {
  return {
    type: 'RegisterBrokerRecord',
    data: {
      brokerId: id,
      incarnationId: 'AAAAAAAAAAAAAAAAAAAAAQ',
      brokerEpoch: epoch,
      endPoints: [],
      features: [],
      rack: null,
      fenced,
      inControlledShutdown: false,
    },
  };
}
