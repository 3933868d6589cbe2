import type { TransactionRecord } from './transaction-record-codec.js';

/** Which end of a transaction markers record (ControlRecordType COMMIT / ABORT). */
export type TransactionResult = 'commit' | 'abort';

/** The answer to InitProducerId. */
export interface InitProducerIdResult {
  readonly errorCode: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** The answer to AddPartitionsToTxn (one code for every partition of the request), AddOffsetsToTxn and EndTxn. */
export interface ErrorResult {
  readonly errorCode: number;
}

export type TxnResponse = InitProducerIdResult | ErrorResult;

/** Records to append to a __transaction_state partition. */
export interface AppendEffect {
  readonly type: 'append';
  readonly partition: number;
  readonly records: readonly TransactionRecord[];
}

/** The answer to request `requestId`, to send once every append before it is durable. */
export interface RespondEffect {
  readonly type: 'respond';
  readonly requestId: number;
  readonly response: TxnResponse;
}

/**
 * InitProducerId `requestId` needs a producer id nobody has had (a new transactional id, or an
 * epoch that ran out): the shell allocates one and hands the request in again with it. Producer
 * ids come from the controller, which the pure core cannot wait for.
 */
export interface NeedProducerIdEffect {
  readonly type: 'needProducerId';
  readonly requestId: number;
}

/** The markers that end a transaction, one per partition, with what the coordinator knows of it. */
export interface TxnMarker {
  readonly transactionalId: string;
  /** The __transaction_state partition of the transactional id. */
  readonly txnPartition: number;
  /** The leader epoch of that partition when the markers were asked for (WriteTxnMarkers' CoordinatorEpoch). */
  readonly coordinatorEpoch: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly result: TransactionResult;
  readonly partitions: readonly { readonly topic: string; readonly partitions: readonly number[] }[];
}

/**
 * Write these markers, once every append before this effect is durable, retrying until each
 * partition has its marker (or is gone), then call `markersWritten` (Kafka's
 * TransactionMarkerChannelManager).
 */
export interface WriteMarkersEffect {
  readonly type: 'writeMarkers';
  readonly marker: TxnMarker;
}

/**
 * The coordinator's outputs, in order. The shell runs them in order; a response or a marker goes
 * out only once every append listed before it (in this and earlier effect lists) is durable.
 */
export type TxnEffect = AppendEffect | RespondEffect | NeedProducerIdEffect | WriteMarkersEffect;
