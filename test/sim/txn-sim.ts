import assert from 'node:assert/strict';
import { TransactionCoordinator } from '../../src/broker/transaction-coordinator/core/transaction-coordinator.js';
import type {
  ErrorResult,
  InitProducerIdResult,
  TxnEffect,
  TxnMarker,
  TxnResponse,
} from '../../src/broker/transaction-coordinator/core/transaction-effects.js';
import type { TransactionRecord } from '../../src/broker/transaction-coordinator/core/transaction-record-codec.js';
import { ManualClock } from '../../src/common/clock.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { Prng } from '../helpers/prng.js';

// A seeded simulation of the transaction coordinator core with transactional producers, zombies
// (two producers sharing a transactional id), client crashes, stalls past the transaction timeout,
// and coordinator crashes that lose the appends not yet flushed. The data partitions are modelled
// as lists of transactional records and markers with the storage's epoch check. Invariants are
// checked after every event, and at the end, once everything is drained, every transaction must be
// closed with one outcome on every partition it wrote to.

const TXN_PARTITIONS = 3;
const DATA_PARTITIONS = 4;
const TXN_IDS = ['a', 'b', 'c'];
const TIMEOUT_MS = 5_000;

type DataEntry =
  | { kind: 'data'; producerId: bigint; epoch: number; txn: number }
  | { kind: 'marker'; producerId: bigint; epoch: number; commit: boolean };

interface Partition {
  entries: DataEntry[];
  /** The storage's producer epoch per producer id (data and markers move it forward). */
  epochs: Map<bigint, number>;
  /** Producers with an open transaction here. */
  open: Set<bigint>;
}

interface Client {
  readonly id: number;
  readonly txnId: string;
  producerId: bigint;
  epoch: number;
  state: 'init' | 'idle' | 'inTxn' | 'dead';
  /** The id of the transaction in progress (unique over the run), its partitions, those written. */
  txn: number;
  added: Set<number>;
  waiting: boolean;
}

type Pending = { client: number; api: 'init' | 'add' | 'end'; commit?: boolean; txn?: number };

export class TxnSimulation {
  readonly stats = {
    events: 0,
    restarts: 0,
    lostAppends: 0,
    commitsAcked: 0,
    abortsAcked: 0,
    fenced: 0,
    timedOut: 0,
    zombieWritesRefused: 0,
  };
  private readonly rng: Prng;
  private readonly clock = new ManualClock(1_000_000);
  private coordinator!: TransactionCoordinator;
  private coordinatorEpoch = 0;
  private readonly durable: { partition: number; record: TransactionRecord }[] = [];
  /** Effects not yet released: appends wait for a flush, and so does whatever follows them. */
  private queue: TxnEffect[] = [];
  private markers: TxnMarker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  private nextProducerId = 1000n;
  private nextTxn = 1;
  private readonly clients: Client[] = [];
  private readonly partitions: Partition[] = [];
  /** Transactions whose EndTxn(commit) was answered NONE, and the epochs handed to clients. */
  private readonly ackedCommits = new Set<number>();
  private readonly ackedAborts = new Set<number>();
  private readonly handedEpoch = new Map<bigint, number>();
  private readonly txnPartitions = new Map<number, Set<number>>();

  constructor(readonly seed: number) {
    this.rng = new Prng(seed);
    for (let p = 0; p < DATA_PARTITIONS; p++)
      this.partitions.push({ entries: [], epochs: new Map(), open: new Set() });
    this.startCoordinator();
    for (const txnId of TXN_IDS) this.spawn(txnId);
  }

  private startCoordinator(): void {
    this.coordinator = new TransactionCoordinator({
      clock: this.clock,
      config: { transactionStateLogNumPartitions: TXN_PARTITIONS, transactionalIdExpirationMs: 3_600_000 },
    });
    for (let p = 0; p < TXN_PARTITIONS; p++) {
      this.coordinator.beginLoad(p, this.coordinatorEpoch);
      this.emit(
        this.coordinator.loadFrom(
          p,
          this.durable.filter((r) => r.partition === p).map((r) => r.record),
        ),
      );
    }
  }

  private spawn(txnId: string): void {
    this.clients.push({
      id: this.clients.length,
      txnId,
      producerId: -1n,
      epoch: -1,
      state: 'init',
      txn: 0,
      added: new Set(),
      waiting: false,
    });
  }

  private emit(effects: TxnEffect[], retry?: (fresh: bigint) => TxnEffect[]): void {
    for (const e of effects) {
      if (e.type === 'needProducerId') this.emit(retry!(this.nextProducerId++));
      else this.queue.push(e);
    }
  }

  /** Appends become durable; responses and markers queued behind them are released. */
  private flush(): void {
    const queue = this.queue;
    this.queue = [];
    for (const e of queue) {
      if (e.type === 'append')
        for (const record of e.records) this.durable.push({ partition: e.partition, record });
      else if (e.type === 'respond') this.deliver(e.requestId, e.response);
      else if (e.type === 'writeMarkers') this.markers.push(e.marker);
    }
  }

  /** The coordinator dies: unflushed appends, unreleased answers and markers in flight are lost. */
  private crashCoordinator(): void {
    this.stats.restarts++;
    this.stats.lostAppends += this.queue.filter((e) => e.type === 'append').length;
    for (const e of this.queue) if (e.type === 'respond') this.dropAnswer(e.requestId);
    this.queue = [];
    this.markers = [];
    this.coordinatorEpoch++;
    this.startCoordinator();
  }

  /** A request whose answer is lost: the client times out and starts over. */
  private dropAnswer(requestId: number): void {
    const p = this.pending.get(requestId);
    this.pending.delete(requestId);
    if (!p) return;
    const c = this.clients[p.client]!;
    c.waiting = false;
    if (c.state !== 'dead') c.state = 'init';
  }

  private send(
    c: Client,
    p: Pending,
    call: (requestId: number) => TxnEffect[],
    retry?: (requestId: number, fresh: bigint) => TxnEffect[],
  ): void {
    const requestId = this.nextRequestId++;
    this.pending.set(requestId, p);
    c.waiting = true;
    this.emit(call(requestId), retry && ((fresh) => retry(requestId, fresh)));
  }

  private deliver(requestId: number, r: TxnResponse): void {
    const p = this.pending.get(requestId);
    if (!p) return;
    this.pending.delete(requestId);
    const c = this.clients[p.client]!;
    c.waiting = false;
    if (c.state === 'dead') return;
    if (r.errorCode === ErrorCode.PRODUCER_FENCED || r.errorCode === ErrorCode.INVALID_PRODUCER_ID_MAPPING) {
      this.stats.fenced++;
      c.state = 'dead';
      return;
    }
    if (p.api === 'init') {
      if (r.errorCode !== ErrorCode.NONE) return;
      const init = r as InitProducerIdResult;
      c.producerId = init.producerId;
      c.epoch = init.producerEpoch;
      const handed = this.handedEpoch.get(init.producerId) ?? -1;
      assert.ok(
        init.producerEpoch > handed,
        `seed ${this.seed}: epoch ${init.producerEpoch} handed out again (had ${handed})`,
      );
      this.handedEpoch.set(init.producerId, init.producerEpoch);
      c.state = 'idle';
      return;
    }
    const errorCode = (r as ErrorResult).errorCode;
    if (p.api === 'add') {
      if (errorCode === ErrorCode.NONE) c.state = 'inTxn';
      return;
    }
    // EndTxn.
    if (errorCode === ErrorCode.NONE) {
      if (p.commit) {
        this.stats.commitsAcked++;
        this.ackedCommits.add(p.txn!);
      } else {
        this.stats.abortsAcked++;
        this.ackedAborts.add(p.txn!);
      }
      c.state = 'idle';
      c.added = new Set();
    } else if (errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS) {
      c.state = 'init';
    }
  }

  /** One client step, as a transactional producer's next request. */
  private stepClient(c: Client): void {
    if (c.waiting || c.state === 'dead') return;
    const id = c.txnId;
    if (c.state === 'init') {
      const req = {
        transactionalId: id,
        transactionTimeoutMs: TIMEOUT_MS,
        producerId: -1n,
        producerEpoch: -1,
      };
      this.send(
        c,
        { client: c.id, api: 'init' },
        (rid) => this.coordinator.initProducerId(rid, req),
        (rid, fresh) => this.coordinator.initProducerId(rid, req, fresh),
      );
      return;
    }
    const roll = this.rng.int(10);
    if (c.state === 'idle' || roll < 2) {
      if (c.state === 'idle') {
        c.txn = this.nextTxn++;
        c.added = new Set();
      }
      const partition = this.rng.int(DATA_PARTITIONS);
      c.added.add(partition);
      this.send(c, { client: c.id, api: 'add' }, (rid) =>
        this.coordinator.addPartitionsToTxn(rid, {
          transactionalId: id,
          producerId: c.producerId,
          producerEpoch: c.epoch,
          partitions: new Map([['t', new Set([partition])]]),
        }),
      );
      return;
    }
    if (roll < 7) {
      this.write(c, [...c.added][this.rng.int(c.added.size)]!);
      return;
    }
    const commit = this.rng.chance(0.7);
    this.send(c, { client: c.id, api: 'end', commit, txn: c.txn }, (rid) =>
      this.coordinator.endTxn(rid, {
        transactionalId: id,
        producerId: c.producerId,
        producerEpoch: c.epoch,
        committed: commit,
      }),
    );
  }

  /** A transactional produce: the verification of KIP-890, then the storage's epoch check. */
  private write(c: Client, partition: number): void {
    const part = this.partitions[partition]!;
    const current = part.epochs.get(c.producerId) ?? -1;
    if (c.epoch < current) {
      this.stats.zombieWritesRefused++;
      return;
    }
    if (!part.open.has(c.producerId) || current !== c.epoch) {
      const v = this.coordinator.verifyPartitionsInTxn({
        transactionalId: c.txnId,
        producerId: c.producerId,
        producerEpoch: c.epoch,
        partitions: new Map([['t', new Set([partition])]]),
      });
      if (v.partitionErrors.get('t')?.get(partition) !== ErrorCode.NONE) {
        this.stats.zombieWritesRefused++;
        return;
      }
    }
    const handed = this.handedEpoch.get(c.producerId) ?? -1;
    assert.ok(
      c.epoch >= handed,
      `seed ${this.seed}: a write of epoch ${c.epoch} after epoch ${handed} was handed out`,
    );
    part.entries.push({ kind: 'data', producerId: c.producerId, epoch: c.epoch, txn: c.txn });
    part.epochs.set(c.producerId, c.epoch);
    part.open.add(c.producerId);
    const set = this.txnPartitions.get(c.txn) ?? new Set<number>();
    set.add(partition);
    this.txnPartitions.set(c.txn, set);
  }

  /** Writes a transaction's markers (the shell's marker sender), then reports them written. */
  private writeMarkers(m: TxnMarker): void {
    if (m.coordinatorEpoch !== this.coordinatorEpoch) return;
    for (const t of m.partitions) {
      for (const p of t.partitions) {
        const part = this.partitions[p]!;
        const current = part.epochs.get(m.producerId) ?? -1;
        assert.ok(
          m.producerEpoch >= current,
          `seed ${this.seed}: marker of epoch ${m.producerEpoch} behind ${current}`,
        );
        part.entries.push({
          kind: 'marker',
          producerId: m.producerId,
          epoch: m.producerEpoch,
          commit: m.result === 'commit',
        });
        part.epochs.set(m.producerId, m.producerEpoch);
        part.open.delete(m.producerId);
      }
    }
    this.emit(this.coordinator.markersWritten(m));
  }

  /** Each transaction's outcome per partition from the logs: commit, abort, or open. */
  private outcomes(): Map<number, Map<number, 'commit' | 'abort' | 'open'>> {
    const out = new Map<number, Map<number, 'commit' | 'abort' | 'open'>>();
    this.partitions.forEach((part, p) => {
      const open = new Map<bigint, Set<number>>();
      const set = (txn: number, o: 'commit' | 'abort' | 'open') => {
        const m = out.get(txn) ?? new Map();
        m.set(p, o);
        out.set(txn, m);
      };
      for (const e of part.entries) {
        if (e.kind === 'data') {
          const s = open.get(e.producerId) ?? new Set();
          s.add(e.txn);
          open.set(e.producerId, s);
          set(e.txn, 'open');
        } else {
          for (const txn of open.get(e.producerId) ?? []) set(txn, e.commit ? 'commit' : 'abort');
          open.delete(e.producerId);
        }
      }
    });
    return out;
  }

  /** No transaction committed on one partition and aborted on another; no acknowledged commit aborted anywhere. */
  private checkInvariants(final: boolean): void {
    for (const [txn, byPartition] of this.outcomes()) {
      const results = new Set(byPartition.values());
      assert.ok(
        !(results.has('commit') && results.has('abort')),
        `seed ${this.seed}: transaction ${txn} both committed and aborted`,
      );
      if (this.ackedCommits.has(txn))
        assert.ok(!results.has('abort'), `seed ${this.seed}: acknowledged commit ${txn} aborted`);
      if (this.ackedAborts.has(txn))
        assert.ok(!results.has('commit'), `seed ${this.seed}: acknowledged abort ${txn} committed`);
      if (final) {
        assert.ok(!results.has('open'), `seed ${this.seed}: transaction ${txn} still open after draining`);
        if (this.ackedCommits.has(txn)) assert.ok(results.has('commit'), `seed ${this.seed}: ${txn}`);
      }
    }
  }

  run(events = 400): void {
    for (let i = 0; i < events; i++) {
      this.stats.events++;
      const roll = this.rng.int(100);
      if (roll < 45) this.stepClient(this.clients[this.rng.int(this.clients.length)]!);
      else if (roll < 65) this.flush();
      else if (roll < 78) {
        const m = this.markers.shift();
        if (m) this.writeMarkers(m);
      } else if (roll < 85) this.clock.advance(this.rng.int(3_000));
      else if (roll < 89) {
        const aborted = this.coordinator.abortTimedOutTransactions();
        this.stats.timedOut += aborted.filter((e) => e.type === 'writeMarkers').length;
        this.emit(aborted);
      } else if (roll < 92) this.crashCoordinator();
      else if (roll < 96) {
        // A client crashes; a new instance of its transactional id starts (the old one lingers as a zombie).
        const c = this.clients[this.rng.int(this.clients.length)]!;
        if (c.state !== 'dead') this.spawn(c.txnId);
        if (this.rng.chance(0.5)) c.state = 'dead';
      } else {
        for (const c of this.clients) if (!c.waiting && c.state !== 'dead') this.stepClient(c);
      }
      this.checkInvariants(false);
    }
    this.drain();
    this.checkInvariants(true);
  }

  /** Clients stop; time passes beyond every timeout; flushes, sweeps and markers run until nothing is left. */
  private drain(): void {
    for (const c of this.clients) c.state = 'dead';
    for (let round = 0; round < 20; round++) {
      this.flush();
      while (this.markers.length > 0) {
        this.writeMarkers(this.markers.shift()!);
        this.flush();
      }
      this.clock.advance(TIMEOUT_MS + 1);
      this.emit(this.coordinator.abortTimedOutTransactions());
      if (this.queue.length === 0 && this.markers.length === 0) return;
    }
    assert.fail(`seed ${this.seed}: coordinator did not settle`);
  }

  fingerprint(): string {
    return JSON.stringify({
      stats: this.stats,
      logs: this.partitions.map((p) =>
        p.entries.map((e) =>
          e.kind === 'data' ? `d${e.txn}` : `${e.commit ? 'C' : 'A'}${e.producerId}.${e.epoch}`,
        ),
      ),
    });
  }
}
