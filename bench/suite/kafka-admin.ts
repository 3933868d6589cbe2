import { ZERO_UUID } from '../../src/protocol/codec-support.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/frame.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { FetchResponse } from '../../src/protocol/generated/messages/fetch-response.js';
import type { MetadataResponse } from '../../src/protocol/generated/messages/metadata-response.js';
import { PipelinedConnection } from '../load/pipelined-connection.js';

/** The few admin requests the suite needs, over the wire so they work against any Kafka broker. */
export class KafkaAdmin {
  private correlation = 1;

  private constructor(private readonly conn: PipelinedConnection) {}

  static async open(host: string, port: number): Promise<KafkaAdmin> {
    return new KafkaAdmin(await PipelinedConnection.open(host, port));
  }

  /** Creates the topic and waits until every partition has a leader. */
  async createTopic(name: string, partitions: number): Promise<void> {
    const id = this.correlation++;
    const { frame } = await this.conn.send(
      encodeRequest(ApiKey.CreateTopics, 5, id, 'strom-bench', {
        topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 600_000,
        validateOnly: false,
      }),
      id,
    );
    const res = decodeResponse(ApiKey.CreateTopics, 5, frame).body as CreateTopicsResponse;
    const code = res.topics[0]?.errorCode ?? -1;
    // 36: TOPIC_ALREADY_EXISTS, fine for a rerun against a peer that keeps its topics.
    if (code !== 0 && code !== 36) {
      throw new Error(`CreateTopics ${name}: error code ${code} ${res.topics[0]?.errorMessage ?? ''}`);
    }
    for (let tries = 0; ; tries++) {
      if (await this.leadersReady(name, partitions)) return;
      if (tries > 6000) throw new Error(`topic ${name}: partitions without a leader after 60 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async leadersReady(name: string, partitions: number): Promise<boolean> {
    const id = this.correlation++;
    const { frame } = await this.conn.send(
      encodeRequest(ApiKey.Metadata, 12, id, 'strom-bench', {
        topics: [{ topicId: ZERO_UUID, name }],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      }),
      id,
    );
    const res = decodeResponse(ApiKey.Metadata, 12, frame).body as MetadataResponse;
    const t = res.topics[0];
    return (
      t !== undefined &&
      t.errorCode === 0 &&
      t.partitions.length === partitions &&
      t.partitions.every((p) => p.errorCode === 0 && p.leaderId >= 0)
    );
  }

  async deleteTopic(name: string): Promise<void> {
    const id = this.correlation++;
    await this.conn.send(
      encodeRequest(ApiKey.DeleteTopics, 4, id, 'strom-bench', { topicNames: [name], timeoutMs: 60_000 }),
      id,
    );
  }

  /** True once one fetch of every partition (offset 0, 1 byte) answers without an error. */
  async fetchAnswers(topic: string, partitions: number): Promise<boolean> {
    const id = this.correlation++;
    const { frame } = await this.conn.send(
      encodeRequest(ApiKey.Fetch, 12, id, 'strom-bench', {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic,
            partitions: Array.from({ length: partitions }, (_, p) => ({
              partition: p,
              fetchOffset: 0n,
              partitionMaxBytes: 1,
            })),
          },
        ],
      }),
      id,
    );
    const res = decodeResponse(ApiKey.Fetch, 12, frame).body as FetchResponse;
    const ps = res.responses[0]?.partitions ?? [];
    return res.errorCode === 0 && ps.length === partitions && ps.every((p) => p.errorCode === 0);
  }

  close(): void {
    this.conn.close();
  }
}
