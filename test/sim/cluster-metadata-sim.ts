import { ManualClock } from '../../src/common/clock.js';
import type { MetadataRecord } from '../../src/metadata/controller/metadata-record.js';
import type { EtcdKv } from '../../src/metadata/etcd/etcd-kv.js';
import { encodeMetadataRecord } from '../../src/metadata/metadata-record-serde.js';
import { Prng } from '../helpers/prng.js';
import { createTopic, imageOf } from '../metadata/etcd/cluster-metadata.js';
import {
  ClusterNode,
  HEARTBEAT_MS,
  PausableKv,
  SESSION_TIMEOUT_MS,
  settle,
} from '../metadata/etcd/cluster-node.js';
import { FakeEtcd } from '../metadata/etcd/fake-etcd.js';

export class ClusterSimulationFailure extends Error {}

const NODES = 3;
const STEPS = 60;
const HEAD = '/test/metadata/head';
const CONTROLLER = '/test/controller';

/**
 * Three brokers' cluster metadata (sessions, election, guarded etcd log, liveness controller) over
 * the in-memory etcd, driven by a seed: brokers paused past their session (and resumed), watch
 * notifications held back, admin operations sent to any broker, time moved in random steps.
 * Invariants, checked as it runs and at the end:
 * - every metadata append etcd accepted came from the broker holding the controller key then;
 * - every broker applies the same records at the same offsets, in order;
 * - no two leaders for one partition in one leader epoch, on any broker;
 * - every acknowledged topic creation is in every broker's image at the end;
 * - after the faults stop, the images converge and exactly one broker is the controller.
 */
export class ClusterSimulation {
  readonly stats = { pauses: 0, heldWatches: 0, created: 0, refused: 0, controllerChanges: 0 };
  private readonly rng: Prng;
  private readonly etcd = new FakeEtcd();
  private readonly clock = new ManualClock();
  private readonly kvs: PausableKv[] = [];
  private readonly nodes: ClusterNode[] = [];
  private readonly recordsAt = new Map<string, string>();
  private readonly leaderOf = new Map<string, number>();
  private readonly acknowledged: string[] = [];
  private lastOffset = new Map<number, bigint>();

  constructor(readonly seed: number) {
    this.rng = new Prng(seed);
  }

  /** The first invariant broken inside a listener, where a throw would only be swallowed. */
  private broken: ClusterSimulationFailure | null = null;

  private fail(msg: string): never {
    if (this.broken) throw this.broken;
    this.broken = new ClusterSimulationFailure(
      `seed ${this.seed} at t=${this.clock.nowMs()}: ${msg} (replay: SIM_SEED=${this.seed})`,
    );
    throw this.broken;
  }

  private checkedKv(id: number, inner: EtcdKv): EtcdKv {
    return {
      ...inner,
      txn: async (t) => {
        const res = await inner.txn(t);
        const appends = t.success.some((op) => 'put' in op && op.put.key.toString() === HEAD);
        if (res.succeeded && appends) {
          const holder = (await inner.range({ key: Buffer.from(CONTROLLER) })).kvs[0];
          const holderId = holder ? (JSON.parse(holder.value.toString()) as { nodeId: number }).nodeId : -1;
          if (holderId !== id)
            this.fail(`broker ${id} appended while the controller key is held by ${holderId}`);
        }
        return res;
      },
    };
  }

  private watchApplied(node: ClusterNode): void {
    node.metadata.onChange((records: readonly MetadataRecord[], image) => {
      const previous = this.lastOffset.get(node.id) ?? -1n;
      if (image.offset <= previous)
        this.fail(`broker ${node.id} went back from offset ${previous} to ${image.offset}`);
      this.lastOffset.set(node.id, image.offset);
      const key = String(image.offset);
      // Compared as the bytes the log holds: a decoded record carries defaults the writer's lacks.
      const json = records.map((r) => encodeMetadataRecord(r).toString('hex')).join(',');
      const seen = this.recordsAt.get(key);
      if (seen === undefined) this.recordsAt.set(key, json);
      else if (seen !== json) this.fail(`broker ${node.id} applied other records at offset ${key}`);
      for (const t of image.topicsById.values()) {
        for (const p of t.partitions.values()) {
          const k = `${t.topicId}-${p.partitionId}@${p.leaderEpoch}`;
          const leader = this.leaderOf.get(k);
          if (leader === undefined) this.leaderOf.set(k, p.leader);
          else if (leader !== p.leader) this.fail(`two leaders (${leader}, ${p.leader}) for ${k}`);
        }
      }
    });
  }

  private async elapse(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += HEARTBEAT_MS / 5) {
      this.clock.advance(HEARTBEAT_MS / 5);
      this.etcd.advance(HEARTBEAT_MS / 5);
      await settle(10);
    }
  }

  async run(): Promise<void> {
    for (let id = 1; id <= NODES; id++) {
      const kv = new PausableKv(this.checkedKv(id, this.etcd.client()));
      const node = new ClusterNode(id, kv.kv, this.clock);
      this.watchApplied(node);
      this.kvs.push(kv);
      this.nodes.push(node);
    }
    for (const n of this.nodes) await n.start();
    let controller = -1;
    for (let step = 0; step < STEPS; step++) {
      const roll = this.rng.int(10);
      const paused = this.kvs.filter((k) => k.paused).length;
      if (roll === 0 && paused < NODES - 1) {
        const i = this.rng.int(NODES);
        if (!this.kvs[i]!.paused) {
          this.kvs[i]!.paused = true;
          this.stats.pauses++;
        }
      } else if (roll === 1) {
        for (const k of this.kvs) if (k.paused && this.rng.chance(0.5)) k.resume();
      } else if (roll === 2) {
        this.etcd.holdWatches = !this.etcd.holdWatches;
        if (this.etcd.holdWatches) this.stats.heldWatches++;
        else this.etcd.releaseWatches();
      } else if (roll <= 6) {
        const node = this.nodes[this.rng.int(NODES)]!;
        const name = `t${step}`;
        // Not awaited: a paused broker's operation completes when it resumes, or fails.
        void createTopic(node.metadata, name, 1 + this.rng.int(4), this.seed * 1000 + step).then(
          (code) => {
            if (code === 0) {
              this.acknowledged.push(name);
              this.stats.created++;
            }
          },
          () => this.stats.refused++,
        );
      }
      await this.elapse(HEARTBEAT_MS * (1 + this.rng.int(4)));
      if (this.broken) throw this.broken;
      const active = this.nodes.filter((n) => n.election.active && !this.kvs[n.id - 1]!.paused);
      if (active.length === 1 && active[0]!.id !== controller) {
        controller = active[0]!.id;
        this.stats.controllerChanges++;
      }
    }
    // Faults stop: everyone resumes, watches flow, the cluster settles.
    for (const k of this.kvs) k.resume();
    this.etcd.holdWatches = false;
    this.etcd.releaseWatches();
    await this.elapse(3 * SESSION_TIMEOUT_MS);
    for (const n of this.nodes) await n.metadata.catchUp();
    if (this.broken) throw this.broken;
    const reference = JSON.stringify(imageOf(this.nodes[0]!.metadata), (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
    for (const n of this.nodes) {
      const mine = JSON.stringify(imageOf(n.metadata), (_k, v: unknown) =>
        typeof v === 'bigint' ? v.toString() : v,
      );
      if (mine !== reference)
        this.fail(
          `broker ${n.id}'s image differs after convergence (offset ${n.metadata.image.offset} vs ${this.nodes[0]!.metadata.image.offset}; topics ${[...n.metadata.image.topicsByName.keys()].length} vs ${[...this.nodes[0]!.metadata.image.topicsByName.keys()].length})`,
        );
      for (const t of this.acknowledged)
        if (!n.metadata.image.topic(t)) this.fail(`acknowledged topic ${t} missing on ${n.id}`);
      if ([...n.metadata.image.brokers.values()].some((b) => b.fenced))
        this.fail(`a broker still fenced on ${n.id}`);
    }
    const active = this.nodes.filter((n) => n.election.active);
    if (active.length !== 1) this.fail(`${active.length} controllers after convergence`);
    for (const n of this.nodes) await n.close();
  }
}
