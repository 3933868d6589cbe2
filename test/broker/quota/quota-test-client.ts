import assert from 'node:assert/strict';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { decodeResponse, encodeRequest } from '../../../src/protocol/frame.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { ProduceResponse } from '../../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { RawClient } from '../../helpers/raw-client.js';

/** One connection with its own client id, sending requests one at a time. */
export class QuotaTestClient {
  private correlation = 1;
  private constructor(
    private readonly raw: RawClient,
    private readonly clientId: string,
  ) {}

  static async open(bootstrap: string, clientId: string): Promise<QuotaTestClient> {
    return new QuotaTestClient(await RawClient.open(bootstrap), clientId);
  }

  /** Sends a request; returns its size as the broker counts it (header and body, no size prefix). */
  send(apiKey: number, version: number, body: object): number {
    const frames = encodeRequest(apiKey, version, this.correlation++, this.clientId, body as never);
    this.raw.write(frames);
    let bytes = 0;
    for (const f of frames) bytes += f.length;
    return bytes - 4;
  }

  async receive<T>(apiKey: number, version: number, timeoutMs = 10_000): Promise<T> {
    const frame = await this.raw.readFrame(timeoutMs);
    if (!frame) throw new Error('connection closed by broker');
    return decodeResponse(apiKey, version, frame).body as T;
  }

  async call<T>(apiKey: number, version: number, body: object): Promise<T> {
    this.send(apiKey, version, body);
    return this.receive<T>(apiKey, version);
  }

  close(): void {
    this.raw.close();
  }
}

/** A Produce v9 (acks=1) of one record of `valueBytes` to partition 0 of `topic`. */
export function produceBody(topic: string, valueBytes: number) {
  return {
    acks: 1,
    timeoutMs: 5000,
    topicData: [
      {
        name: topic,
        partitionData: [
          {
            index: 0,
            records: encodeRecordBatch({
              baseTimestamp: 1_700_000_000_000n,
              records: [
                {
                  offsetDelta: 0,
                  timestampDelta: 0,
                  key: null,
                  value: Buffer.alloc(valueBytes),
                  headers: [],
                },
              ],
            }),
          },
        ],
      },
    ],
  };
}

/**
 * Produces request after request on one connection until `endMs` (performance.now()), at most
 * `paceBytesPerS` when given, and sums the bytes of the requests answered within [fromMs, endMs),
 * the size the broker counts; every answer is checked. Returns those bytes and how many answers
 * carried a throttle time.
 */
export async function produceUntil(
  client: QuotaTestClient,
  topic: string,
  valueBytes: number,
  fromMs: number,
  endMs: number,
  paceBytesPerS = Number.POSITIVE_INFINITY,
): Promise<{ bytes: number; throttled: number }> {
  let bytes = 0;
  let sent = 0;
  let throttled = 0;
  const body = produceBody(topic, valueBytes);
  const startMs = performance.now();
  while (performance.now() < endMs) {
    const aheadMs = (sent / paceBytesPerS) * 1000 - (performance.now() - startMs);
    if (aheadMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, aheadMs));
      continue;
    }
    const size = client.send(ApiKey.Produce, 9, body);
    sent += size;
    const r = await client.receive<ProduceResponse>(ApiKey.Produce, 9);
    assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    if (r.throttleTimeMs > 0) throttled++;
    const at = performance.now();
    if (at >= fromMs && at < endMs) bytes += size;
  }
  return { bytes, throttled };
}
