/**
 * What the broker reports for monitoring, as Kafka's RequestMetrics (requests, total and queue
 * time per API) and BrokerTopicMetrics (BytesInPerSec, MessagesInPerSec, BytesOutPerSec) do. An
 * observability backend implements this and passes it to `Broker.start`; handlers never see it.
 * Without one, the dispatcher and the replica manager skip the calls and the clock reads altogether.
 */
export interface BrokerMetrics {
  /**
   * One request answered (or failed) by its handler: its API key and version; `latencyMs`, the
   * time from the request read off the socket to the encoded response (long polls and acks=all
   * waits included, as Kafka's TotalTimeMs); and `queueTimeMs`, the part of it the request waited
   * behind others of its connection before its handler was called (Kafka's RequestQueueTimeMs).
   */
  requestCompleted(apiKey: number, apiVersion: number, latencyMs: number, queueTimeMs: number): void;
  /**
   * Record bytes and records appended to a partition this broker leads (Kafka's BytesInPerSec
   * and MessagesInPerSec).
   */
  bytesIn(topic: string, partition: number, bytes: number, records: number): void;
  /** Record bytes a fetch response carries from a partition, to consumers and followers alike (BytesOutPerSec). */
  bytesOut(topic: string, partition: number, bytes: number): void;
}
