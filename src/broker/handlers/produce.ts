import { ConcurrencyLimit } from '../../common/concurrency-limit.js';
import { AclOperation, AclResourceType } from '../../metadata/acl/acl-binding.js';
import { isInternalTopic } from '../../metadata/topic-name.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ProduceRequest } from '../../protocol/generated/messages/produce-request.js';
import { ProduceResponse } from '../../protocol/generated/messages/produce-response.js';
import type { MessageInput } from '../../protocol/message-codec.js';
import { ProtocolError } from '../../protocol/primitives/protocol-error.js';
import { type Precheck, precheckProducedBatches } from '../../storage/produced-batch-precheck.js';
import { StorageError } from '../../storage/storage-error.js';
import { defineHandler, NO_RESPONSE, type RequestContext } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { CloseConnectionError } from '../network/connection.js';
import { recordBytes } from '../quota/client-quotas.js';
import type { HostedPartition } from '../replica/hosted-partition.js';
import { checkProducedRecords, prepareForAppend } from '../replica/produce-conversion.js';
import { kafkaErrorFor } from '../replica/storage-error-codes.js';
import { ProduceOrder, type ProduceStart } from './produce-order.js';
import { type TxnVerificationFailure, transactionVerificationError } from './produce-txn-verification.js';

type PartitionResponse = MessageInput<ProduceResponse['responses'][number]['partitionResponses'][number]>;

const failed = (index: number, errorCode: number, errorMessage: string | null = null): PartitionResponse => ({
  index,
  errorCode,
  errorMessage,
  baseOffset: -1n,
  logAppendTimeMs: -1n,
  logStartOffset: -1n,
});

/** Piece-by-piece checks of large compressed batches running at once, across all connections. */
const DECOMPRESSION_WALKS_MAX = 2;

interface Decompression {
  /** Read per request: handlers touch their services only while serving (see servedApis). */
  decompressedBytesMax: () => number;
  limit: ConcurrencyLimit;
}

type Result = { topic: string; response: PartitionResponse };

/**
 * Produce: validates and appends each partition's records on the leader; acks=all waits in the
 * purgatory until the high watermark passes the appended records or the request times out.
 * acks=0 gets no response; if anything failed the connection is closed instead, which is the only
 * signal such a producer can get (as in Kafka).
 *
 * Compressed batches that expand past 1 MiB are checked piece by piece before their append,
 * off the request's turn of the event loop (see precheckProducedBatches); meanwhile later produce
 * requests of the same connection wait (ProduceOrder), so appends keep request order.
 */
export function produceHandler(s: BrokerServices) {
  const order = new ProduceOrder();
  const decompression: Decompression = {
    decompressedBytesMax: () => s.config.get('strom.decompressed.batch.max.bytes'),
    limit: new ConcurrencyLimit(DECOMPRESSION_WALKS_MAX),
  };
  return defineHandler(ProduceRequest, ProduceResponse, { min: 0, max: 11 }, async (req, ctx) => {
    const acks = req.acks;
    const results = await order.run(ctx.connection, () => startProduce(s, req, ctx, decompression));
    // Kafka records the request's size once the produce is answered (KafkaApis.handleProduceRequest's
    // callback), acks=0 included: such a producer is throttled by its muted connection alone.
    const throttleTimeMs = s.quotas.produce.enabled
      ? recordBytes(s.quotas.produce, ctx, ctx.requestBytes ?? 0, s.clock.nowMs())
      : 0;
    if (acks === 0) {
      const failure = results.find((r) => r.response.errorCode !== ErrorCode.NONE);
      if (failure) {
        throw new CloseConnectionError(
          `acks=0 produce to ${failure.topic}-${failure.response.index} failed with error ${failure.response.errorCode}; closing connection`,
        );
      }
      return NO_RESPONSE;
    }
    const byTopic = new Map<string, PartitionResponse[]>();
    for (const r of results) {
      let list = byTopic.get(r.topic);
      if (!list) {
        list = [];
        byTopic.set(r.topic, list);
      }
      list.push(r.response);
    }
    return {
      responses: [...byTopic].map(([name, partitionResponses]) => ({ name, partitionResponses })),
      throttleTimeMs,
    };
  });
}

/** Checks every partition's records and issues the appends (at once, or after piece-by-piece checks). */
function startProduce(
  s: BrokerServices,
  req: ProduceRequest,
  ctx: RequestContext,
  decompression: Decompression,
): ProduceStart<Result[]> {
  const acks = req.acks;
  const pending: Promise<Result>[] = [];
  const issued: Promise<unknown>[] = [];
  // This request's piece-by-piece checks run one after another: one in flight per connection.
  let checks: Promise<unknown> = Promise.resolve();
  const image = s.metadata.image;
  const decompressedBytesMax = decompression.decompressedBytesMax();
  // Kafka's KafkaApis.handleProduceRequest: WRITE on the transactional id fails the whole request,
  // WRITE on each topic fails that topic's partitions; both before the topic's existence is told.
  const authorizer = s.authorizer;
  const transactionalIdDenied =
    authorizer.enabled &&
    req.transactionalId !== null &&
    !authorizer.authorize(
      ctx.connection,
      AclOperation.WRITE,
      AclResourceType.TRANSACTIONAL_ID,
      req.transactionalId,
    );
  for (const t of req.topicData) {
    const topicDenied =
      authorizer.enabled &&
      !transactionalIdDenied &&
      !authorizer.authorize(ctx.connection, AclOperation.WRITE, AclResourceType.TOPIC, t.name);
    for (const pd of t.partitionData) {
      const done = (response: PartitionResponse) =>
        pending.push(Promise.resolve({ topic: t.name, response }));
      if (transactionalIdDenied) {
        done(failed(pd.index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        continue;
      }
      if (topicDenied) {
        done(failed(pd.index, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
        continue;
      }
      if (acks !== 0 && acks !== 1 && acks !== -1) {
        done(failed(pd.index, ErrorCode.INVALID_REQUIRED_ACKS));
        continue;
      }
      if (isInternalTopic(t.name)) {
        done(
          failed(pd.index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${t.name}`),
        );
        continue;
      }
      const lookup = s.replicas.leader(image, t.name, pd.index);
      if (!lookup.partition) {
        done(failed(pd.index, lookup.errorCode));
        continue;
      }
      const p = lookup.partition;
      const topicConfig = s.replicas.topicConfig(t.name);
      const records = pd.records;
      if (records === null || records.length === 0) {
        done(failed(pd.index, ErrorCode.INVALID_RECORD, 'Produce request carries no records.'));
        continue;
      }
      // A coordinator on another broker answers over the network (null: nothing to verify).
      let verification: Promise<TxnVerificationFailure | null> | null = null;
      if (req.transactionalId !== null) {
        const unverified = transactionVerificationError(s, req.transactionalId, p, records);
        if (unverified instanceof Promise) verification = unverified;
        else if (unverified) {
          done(failed(pd.index, unverified.code, unverified.message));
          continue;
        }
      }
      let precheck: Precheck = 'none';
      try {
        if (checkProducedRecords(records, ctx.apiVersion) === 2) {
          precheck = precheckProducedBatches(records, p.log.config, {
            nowMs: p.log.nowMs,
            decompressedBytesMax,
            limit: decompression.limit,
          });
        }
      } catch (err) {
        done(rejected(ctx, t.name, pd.index, err));
        continue;
      }
      // Synchronous up to the append, which assigns offsets: appends land in request order.
      const append = (): Promise<Result> => {
        let bytes: Buffer;
        try {
          bytes = prepareForAppend(
            records,
            ctx.apiVersion,
            topicConfig['compression.type'],
            decompressedBytesMax,
          );
        } catch (err) {
          return Promise.resolve({ topic: t.name, response: rejected(ctx, t.name, pd.index, err) });
        }
        if (acks === -1 && p.isr.length < topicConfig['min.insync.replicas']) {
          const message = `The size of the current ISR is ${p.isr.length}.`;
          return Promise.resolve({
            topic: t.name,
            response: failed(pd.index, ErrorCode.NOT_ENOUGH_REPLICAS, message),
          });
        }
        return appendAndAwait(s, p, bytes, acks, req.timeoutMs, precheck !== 'none').then((response) => ({
          topic: t.name,
          response,
        }));
      };
      if (typeof precheck !== 'function' && verification === null) {
        pending.push(append());
        continue;
      }
      const pre = precheck;
      const verified = verification;
      // Asynchronous checks run one after another, so this request's appends keep their order.
      const checked = checks.then(async () => {
        const unverified = verified ? await verified : null;
        if (!unverified && typeof pre === 'function') await pre();
        return unverified;
      });
      checks = checked.catch(() => undefined);
      // The append promise is wrapped so that `started` settles once it is issued, not acknowledged.
      const started = checked.then(
        (unverified) => ({
          outcome: unverified
            ? Promise.resolve({
                topic: t.name,
                response: failed(pd.index, unverified.code, unverified.message),
              })
            : append(),
        }),
        (err: unknown) => ({
          outcome: Promise.resolve({ topic: t.name, response: rejected(ctx, t.name, pd.index, err) }),
        }),
      );
      issued.push(started);
      pending.push(started.then((st) => st.outcome));
    }
  }
  return {
    issued: issued.length === 0 ? null : Promise.all(issued).then(() => undefined),
    result: Promise.all(pending),
  };
}

/** The partition's error response for a failed check; anything unexpected closes the connection. */
function rejected(ctx: RequestContext, topic: string, partition: number, err: unknown): PartitionResponse {
  const mapped = kafkaErrorFor(err);
  if (!mapped) throw err;
  if (
    err instanceof StorageError &&
    err.cause instanceof ProtocolError &&
    err.cause.code === 'DECOMPRESSED_TOO_LARGE'
  ) {
    ctx.log.warn(
      { topic, partition, clientAddress: ctx.connection.clientAddress, err: err.message },
      'produced batch decompresses past strom.decompressed.batch.max.bytes; rejected',
    );
  }
  return failed(partition, mapped.code, mapped.message);
}

function appendAndAwait(
  s: BrokerServices,
  p: HostedPartition,
  bytes: Buffer,
  acks: number,
  timeoutMs: number,
  prechecked: boolean,
): Promise<PartitionResponse> {
  const outcome =
    acks === -1
      ? s.replicas.appendAndAwaitCommitted(p, bytes, timeoutMs, prechecked)
      : s.replicas.appendToLeader(p, bytes, prechecked);
  return outcome.then((r) =>
    r.errorCode !== ErrorCode.NONE
      ? failed(p.partition, r.errorCode, r.errorMessage)
      : {
          index: p.partition,
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
          baseOffset: r.baseOffset,
          logAppendTimeMs: r.logAppendTimeMs,
          logStartOffset: r.logStartOffset,
        },
  );
}
