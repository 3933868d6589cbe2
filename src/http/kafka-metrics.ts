import type { BrokerMetrics } from '../broker/broker-metrics.js';
import { LatencyHistogram } from '../common/latency-histogram.js';

/** One topic's BrokerTopicMetrics counts since the broker started. */
export class TopicCounters {
  bytesIn = 0;
  messagesIn = 0;
  bytesOut = 0;
}

/** One API's RequestMetrics: requests per version, total and queue time. */
export class RequestCounters {
  /** Requests answered, indexed by API version. */
  readonly byVersion: number[] = [];
  readonly totalTimeMs = new LatencyHistogram();
  readonly queueTimeMs = new LatencyHistogram();
}

/**
 * The broker's hot-path counts for Prometheus, kept as plain numbers: a request costs one array
 * index and a few increments, an append or a fetched partition one Map lookup by topic name (no
 * key is built) and two additions. Label sets and the text format are made only on a scrape
 * (metrics-registry.ts), as are everything that can be read from the broker's state then: log
 * sizes, consumer lag, partition counts.
 */
export class KafkaMetrics implements BrokerMetrics {
  /** Per topic, as Kafka's BrokerTopicMetrics are (the partition is not a label of theirs). */
  readonly topics = new Map<string, TopicCounters>();
  /** All topics together (Kafka's BrokerTopicMetrics without a topic tag), kept when a topic is deleted. */
  readonly allTopics = new TopicCounters();
  /** Indexed by API key. */
  readonly requests: (RequestCounters | undefined)[] = [];

  requestCompleted(apiKey: number, apiVersion: number, latencyMs: number, queueTimeMs: number): void {
    const r = this.requests[apiKey] ?? this.addRequest(apiKey);
    r.byVersion[apiVersion] = (r.byVersion[apiVersion] ?? 0) + 1;
    r.totalTimeMs.record(latencyMs);
    r.queueTimeMs.record(queueTimeMs);
  }

  bytesIn(topic: string, _partition: number, bytes: number, records: number): void {
    const t = this.topics.get(topic) ?? this.addTopic(topic);
    t.bytesIn += bytes;
    t.messagesIn += records;
    this.allTopics.bytesIn += bytes;
    this.allTopics.messagesIn += records;
  }

  bytesOut(topic: string, _partition: number, bytes: number): void {
    const t = this.topics.get(topic) ?? this.addTopic(topic);
    t.bytesOut += bytes;
    this.allTopics.bytesOut += bytes;
  }

  /**
   * Forgets the counts of topics that no longer exist, as Kafka removes a deleted topic's
   * BrokerTopicMetrics: the map stays as large as the topics are many.
   */
  retainTopics(exists: (topic: string) => boolean): void {
    for (const topic of this.topics.keys()) if (!exists(topic)) this.topics.delete(topic);
  }

  private addTopic(topic: string): TopicCounters {
    const t = new TopicCounters();
    this.topics.set(topic, t);
    return t;
  }

  private addRequest(apiKey: number): RequestCounters {
    const r = new RequestCounters();
    this.requests[apiKey] = r;
    return r;
  }
}
