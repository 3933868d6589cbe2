import { isInternalTopic } from '../../metadata/topic-name.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ProduceRequest } from '../../protocol/generated/messages/produce-request.js';
import { ProduceResponse } from '../../protocol/generated/messages/produce-response.js';
import type { MessageInput } from '../../protocol/message-codec.js';
import { defineHandler, NO_RESPONSE } from '../api-handler.js';
import type { BrokerServices } from '../broker-services.js';
import { CloseConnectionError } from '../network/connection.js';
import type { HostedPartition } from '../replica/hosted-partition.js';
import { prepareForAppend } from '../replica/produce-conversion.js';
import { kafkaErrorFor } from '../replica/storage-error-codes.js';

type PartitionResponse = MessageInput<ProduceResponse['responses'][number]['partitionResponses'][number]>;

const failed = (index: number, errorCode: number, errorMessage: string | null = null): PartitionResponse => ({
  index,
  errorCode,
  errorMessage,
  baseOffset: -1n,
  logAppendTimeMs: -1n,
  logStartOffset: -1n,
});

/**
 * Produce: validates and appends each partition's records on the leader; acks=all waits in the
 * purgatory until the high watermark passes the appended records or the request times out.
 * acks=0 gets no response; if anything failed the connection is closed instead, which is the only
 * signal such a producer can get (as in Kafka).
 */
export function produceHandler(s: BrokerServices) {
  return defineHandler(ProduceRequest, ProduceResponse, async (req, ctx) => {
    const acks = req.acks;
    const pending: Promise<{ topic: string; response: PartitionResponse }>[] = [];
    const image = s.metadata.image;
    for (const t of req.topicData) {
      for (const pd of t.partitionData) {
        const done = (response: PartitionResponse) =>
          pending.push(Promise.resolve({ topic: t.name, response }));
        if (acks !== 0 && acks !== 1 && acks !== -1) {
          done(failed(pd.index, ErrorCode.INVALID_REQUIRED_ACKS));
          continue;
        }
        if (req.transactionalId !== null) {
          done(
            failed(
              pd.index,
              ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
              'Transactions are not supported yet.',
            ),
          );
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
        if (pd.records === null || pd.records.length === 0) {
          done(failed(pd.index, ErrorCode.INVALID_RECORD, 'Produce request carries no records.'));
          continue;
        }
        let bytes: Buffer;
        try {
          bytes = prepareForAppend(pd.records, ctx.apiVersion, topicConfig['compression.type']);
        } catch (err) {
          const mapped = kafkaErrorFor(err);
          if (!mapped) throw err;
          done(failed(pd.index, mapped.code, mapped.message));
          continue;
        }
        if (acks === -1 && p.isr.length < topicConfig['min.insync.replicas']) {
          done(
            failed(
              pd.index,
              ErrorCode.NOT_ENOUGH_REPLICAS,
              `The size of the current ISR is ${p.isr.length}.`,
            ),
          );
          continue;
        }
        // Offsets are assigned synchronously, so pipelined requests land in request order.
        pending.push(
          appendAndAwait(s, p, bytes, acks, req.timeoutMs).then((response) => ({ topic: t.name, response })),
        );
      }
    }
    const results = await Promise.all(pending);
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
      throttleTimeMs: 0,
    };
  });
}

function appendAndAwait(
  s: BrokerServices,
  p: HostedPartition,
  bytes: Buffer,
  acks: number,
  timeoutMs: number,
): Promise<PartitionResponse> {
  const outcome =
    acks === -1
      ? s.replicas.appendAndAwaitCommitted(p, bytes, timeoutMs)
      : s.replicas.appendToLeader(p, bytes);
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
