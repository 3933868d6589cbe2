/**
 * What the broker reports for monitoring, as Kafka's RequestMetrics (requests and total time per
 * API) and BrokerTopicMetrics (BytesInPerSec, BytesOutPerSec) do. An observability backend
 * implements this and passes it to `Broker.start`; handlers never see it. Without one, the
 * dispatcher and the replica manager skip the calls and the clock reads altogether.
 */
export interface BrokerMetrics {
  /**
   * One request answered (or failed) by its handler: its API key and version, and the time from
   * the decoded request to the encoded response, in milliseconds (long polls and acks=all
   * waits included, as Kafka's TotalTimeMs).
   */
  requestCompleted(apiKey: number, apiVersion: number, latencyMs: number): void;
  /** Record bytes appended to a partition this broker leads (Kafka's BytesInPerSec). */
  bytesIn(topic: string, partition: number, bytes: number): void;
  /** Record bytes a fetch response carries from a partition, to consumers and followers alike (BytesOutPerSec). */
  bytesOut(topic: string, partition: number, bytes: number): void;
}
