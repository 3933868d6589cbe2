import assert from 'node:assert/strict';
import { TransactionCoordinator } from '../../../../src/broker/transaction-coordinator/core/transaction-coordinator.js';
import type { TransactionCoordinatorConfig } from '../../../../src/broker/transaction-coordinator/core/transaction-coordinator-config.js';
import type {
  ErrorResult,
  InitProducerIdResult,
  TxnEffect,
  TxnMarker,
  TxnResponse,
} from '../../../../src/broker/transaction-coordinator/core/transaction-effects.js';
import {
  decodeTransactionRecord,
  encodeTransactionRecord,
  type TransactionRecord,
} from '../../../../src/broker/transaction-coordinator/core/transaction-record-codec.js';
import { ManualClock } from '../../../../src/common/clock.js';

export const PARTITIONS = 5;

/**
 * A coordinator owning every __transaction_state partition on a manual clock. Records go through
 * their bytes into `log` (what a restart replays); producer ids asked for are handed out at once,
 * from 1000 up; markers wait in `markers` until a test writes them.
 */
export class TxnKit {
  readonly clock = new ManualClock(1_000_000);
  coordinator: TransactionCoordinator;
  readonly log: { partition: number; record: TransactionRecord }[] = [];
  markers: TxnMarker[] = [];
  private readonly responses = new Map<number, TxnResponse>();
  private nextRequestId = 1;
  nextProducerId = 1000n;
  coordinatorEpoch = 0;

  constructor(readonly config: Partial<TransactionCoordinatorConfig> = {}) {
    this.coordinator = this.fresh();
    this.loadAll();
  }

  private fresh(): TransactionCoordinator {
    return new TransactionCoordinator({
      clock: this.clock,
      config: { transactionStateLogNumPartitions: PARTITIONS, offsetsTopicNumPartitions: 7, ...this.config },
    });
  }

  private loadAll(): void {
    for (let p = 0; p < PARTITIONS; p++) {
      this.coordinator.beginLoad(p, this.coordinatorEpoch);
      this.absorb(
        this.coordinator.loadFrom(
          p,
          this.log.filter((r) => r.partition === p).map((r) => r.record),
        ),
      );
    }
  }

  /** A new coordinator (a restart or a new leader) at the next coordinator epoch, rebuilt from the log; markers in flight are lost. */
  restart(): void {
    this.coordinatorEpoch++;
    this.markers = [];
    this.coordinator = this.fresh();
    this.loadAll();
  }

  absorb(effects: TxnEffect[], retry?: (requestId: number, fresh: bigint) => TxnEffect[]): void {
    for (const e of effects) {
      switch (e.type) {
        case 'append':
          for (const record of e.records) {
            const bytes = encodeTransactionRecord(record);
            this.log.push({
              partition: e.partition,
              record: decodeTransactionRecord(bytes.key, bytes.value),
            });
          }
          break;
        case 'respond':
          assert.ok(!this.responses.has(e.requestId), `request ${e.requestId} answered twice`);
          this.responses.set(e.requestId, e.response);
          break;
        case 'needProducerId':
          assert.ok(retry, 'only InitProducerId asks for a producer id');
          this.absorb(retry(e.requestId, this.nextProducerId++));
          break;
        case 'writeMarkers':
          this.markers.push(e.marker);
          break;
      }
    }
  }

  private take(requestId: number): TxnResponse {
    const r = this.responses.get(requestId);
    assert.ok(r, `request ${requestId} not answered`);
    this.responses.delete(requestId);
    return r;
  }

  init(
    transactionalId: string,
    opts: { timeoutMs?: number; producerId?: bigint; producerEpoch?: number } = {},
  ) {
    const id = this.nextRequestId++;
    const req = {
      transactionalId,
      transactionTimeoutMs: opts.timeoutMs ?? 60_000,
      producerId: opts.producerId ?? -1n,
      producerEpoch: opts.producerEpoch ?? -1,
    };
    this.absorb(this.coordinator.initProducerId(id, req), (rid, fresh) =>
      this.coordinator.initProducerId(rid, req, fresh),
    );
    return this.take(id) as InitProducerIdResult;
  }

  add(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    partitions: Record<string, number[]>,
  ): number {
    const id = this.nextRequestId++;
    const map = new Map(Object.entries(partitions).map(([t, ps]) => [t, new Set(ps)]));
    this.absorb(
      this.coordinator.addPartitionsToTxn(id, {
        transactionalId,
        producerId,
        producerEpoch,
        partitions: map,
      }),
    );
    return (this.take(id) as ErrorResult).errorCode;
  }

  addOffsets(transactionalId: string, producerId: bigint, producerEpoch: number, groupId: string): number {
    const id = this.nextRequestId++;
    this.absorb(
      this.coordinator.addOffsetsToTxn(id, { transactionalId, producerId, producerEpoch, groupId }),
    );
    return (this.take(id) as ErrorResult).errorCode;
  }

  end(transactionalId: string, producerId: bigint, producerEpoch: number, committed: boolean): number {
    const id = this.nextRequestId++;
    this.absorb(this.coordinator.endTxn(id, { transactionalId, producerId, producerEpoch, committed }));
    return (this.take(id) as ErrorResult).errorCode;
  }

  /** Reports every pending marker written. */
  writeMarkers(): TxnMarker[] {
    const done = this.markers;
    this.markers = [];
    for (const m of done) this.absorb(this.coordinator.markersWritten(m));
    return done;
  }

  state(transactionalId: string): string {
    return this.coordinator.describeTransaction(transactionalId).transactionState;
  }

  /** A transaction begun: id initialized and one partition added; returns its producer id and epoch. */
  ongoing(transactionalId: string, partitions: Record<string, number[]> = { t: [0] }) {
    const r = this.init(transactionalId);
    assert.equal(r.errorCode, 0);
    assert.equal(this.add(transactionalId, r.producerId, r.producerEpoch, partitions), 0);
    return { producerId: r.producerId, producerEpoch: r.producerEpoch };
  }
}
