import { collectDefaultMetrics, Registry } from 'prom-client';
import type { BrokerObserver, QuotaView } from '../broker/broker-observer.js';
import type { LatencyHistogram } from '../common/latency-histogram.js';
import { API_REGISTRY, ApiKey } from '../protocol/generated/api-registry.js';
import { logFlushStats } from '../storage/log-flush-stats.js';
import { expositionText, type FamilySamples, partitionLabelText, type Sample } from './exposition-text.js';
import type { KafkaMetrics, RequestCounters, TopicCounters } from './kafka-metrics.js';
import { type ScrapeSnapshot, takeSnapshot } from './scrape-snapshot.js';

/**
 * The quantiles Kafka's histograms report (50thPercentile … 999thPercentile) and the label the
 * JMX exporter's rules give each ("0.$N": 50 → "0.50", 999 → "0.999").
 */
const QUANTILES: readonly [number, string][] = [
  [0.5, '0.50'],
  [0.75, '0.75'],
  [0.95, '0.95'],
  [0.98, '0.98'],
  [0.99, '0.99'],
  [0.999, '0.999'],
];

/** Quantiles cover the last one to two windows of this length (Kafka's reservoirs decay instead). */
const QUANTILE_WINDOW_MS = 30_000;

type Value = Sample;

/**
 * A family of the exposition: its samples are computed on a scrape from the snapshot and the
 * counters, straight into the list that is printed (or, per partition, as it is printed), without
 * prom-client's label-keyed store (hashing the labels of 10,000 partitions per family per scrape
 * cost most of a scrape).
 */
class Family {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
    private readonly values: (s: ScrapeSnapshot | null) => Iterable<Value>,
  ) {}

  get(snapshot: ScrapeSnapshot | null): FamilySamples {
    return { name: this.name, help: this.help, type: this.type, values: this.values(snapshot) };
  }
}

/**
 * Each partition's `{topic="…",partition="…"}` text, written on its first scrape and reused by the
 * next ones: 10,000 partitions times four log families made 40,000 label texts per scrape. Topics
 * that no longer exist are dropped after each scrape, so the cache holds only hosted partitions.
 */
class PartitionLabels {
  private readonly byTopic = new Map<string, string[]>();

  of(topic: string, partition: number): string {
    let texts = this.byTopic.get(topic);
    if (texts === undefined) {
      texts = [];
      this.byTopic.set(topic, texts);
    }
    let text = texts[partition];
    if (text === undefined) {
      text = partitionLabelText(topic, partition);
      texts[partition] = text;
    }
    return text;
  }

  retain(exists: (topic: string) => boolean): void {
    for (const topic of this.byTopic.keys()) if (!exists(topic)) this.byTopic.delete(topic);
  }
}

/**
 * The Prometheus exposition of a broker, with prom-client: every family is named as the
 * Prometheus JMX exporter's example rules (example_configs/kafka-2_0_0.yml, the same for these in
 * kafka-kraft-3_0_0.yml) name Kafka's MBeans, so dashboards and alerts written for Kafka work
 * unchanged; consumer lag as kafka-lag-exporter names it; Node's own metrics with prom-client's
 * defaults. docs/operations.md lists them. Everything is computed on a scrape, from one snapshot
 * of the broker's state and the plain counters of KafkaMetrics.
 */
export class MetricsRegistry {
  private readonly families: Family[] = [];
  private readonly partitionLabels = new PartitionLabels();

  constructor(
    private readonly metrics: KafkaMetrics,
    private readonly observer: () => BrokerObserver | null,
  ) {
    this.defineBrokerTopicMetrics();
    this.defineRequestMetrics();
    this.defineReplicaManager();
    this.defineController();
    this.defineLogs();
    this.definePurgatoriesAndConnections();
    this.defineConsumerLag();
    this.defineQuotas();
  }

  /** The exposition text (Prometheus text format 0.0.4), Node's metrics included. */
  async text(): Promise<string> {
    const observer = this.observer();
    if (observer) {
      this.metrics.retainTopics((t) => observer.hasTopic(t));
      this.partitionLabels.retain((t) => observer.hasTopic(t));
    }
    // Every family's samples are read from this one snapshot (taken, then formatted, in slices
    // that yield to the event loop), so a scrape is consistent even when two overlap.
    const snapshot = observer ? await takeSnapshot(observer) : null;
    const samples = this.families.map((f) => f.get(snapshot));
    return (await expositionText(samples)) + (await nodeMetrics().metrics());
  }

  get contentType(): string {
    return Registry.PROMETHEUS_CONTENT_TYPE;
  }

  private family(name: string, help: string, type: 'counter' | 'gauge', values: () => Value[]): void {
    this.families.push(new Family(name, help, type, values));
  }

  /** A family read from the snapshot: no samples before the broker is up. */
  private fromSnapshot(
    name: string,
    help: string,
    type: 'counter' | 'gauge',
    values: (s: ScrapeSnapshot) => Iterable<Value>,
  ): void {
    this.families.push(new Family(name, help, type, (s) => (s === null ? [] : values(s))));
  }

  private gauge(name: string, help: string, value: (s: ScrapeSnapshot) => number): void {
    this.fromSnapshot(name, help, 'gauge', (s) => [{ value: value(s) }]);
  }

  private defineBrokerTopicMetrics(): void {
    const m = this.metrics;
    const family = (name: string, help: string, of: (t: TopicCounters) => number) =>
      this.family(name, help, 'counter', () => {
        const out: Value[] = [{ value: of(m.allTopics) }];
        for (const [topic, t] of m.topics) out.push({ labels: { topic }, value: of(t) });
        return out;
      });
    family(
      'kafka_server_brokertopicmetrics_bytesin_total',
      'Record bytes appended to partitions this broker leads (BytesInPerSec), per topic and in all',
      (t) => t.bytesIn,
    );
    family(
      'kafka_server_brokertopicmetrics_messagesin_total',
      'Records appended to partitions this broker leads (MessagesInPerSec), per topic and in all',
      (t) => t.messagesIn,
    );
    family(
      'kafka_server_brokertopicmetrics_bytesout_total',
      'Record bytes sent in fetch responses (BytesOutPerSec), per topic and in all',
      (t) => t.bytesOut,
    );
  }

  private defineRequestMetrics(): void {
    this.family(
      'kafka_network_requestmetrics_requests_total',
      'Requests answered, per API and version (RequestsPerSec)',
      'counter',
      () => {
        const out: Value[] = [];
        for (const [request, r] of this.requestsByName())
          r.byVersion.forEach((n, version) => {
            if (n !== undefined) out.push({ labels: { request, version }, value: n });
          });
        return out;
      },
    );
    const histogram = (name: string, help: string, of: (r: RequestCounters) => LatencyHistogram) => {
      this.family(name, help, 'gauge', () => {
        const now = performance.now();
        const out: Value[] = [];
        for (const [request, r] of this.requestsByName()) {
          const h = of(r);
          h.rotate(now, QUANTILE_WINDOW_MS);
          for (const [q, quantile] of QUANTILES)
            out.push({ labels: { request, quantile }, value: h.quantile(q) });
        }
        return out;
      });
      this.family(`${name}_count`, `${help}: requests measured`, 'counter', () =>
        this.requestsByName().map(([request, r]) => ({ labels: { request }, value: of(r).count })),
      );
    };
    histogram(
      'kafka_network_requestmetrics_totaltimems',
      'Milliseconds from a request read off the socket to its response (TotalTimeMs)',
      (r) => r.totalTimeMs,
    );
    histogram(
      'kafka_network_requestmetrics_requestqueuetimems',
      'Milliseconds a request waited behind its connection in-flight limit before its handler ran (RequestQueueTimeMs)',
      (r) => r.queueTimeMs,
    );
  }

  /**
   * The APIs answered so far under Kafka's request names. Fetch is counted as FetchConsumer too,
   * as Kafka counts every fetch under Fetch and one of FetchConsumer/FetchFollower: every fetch is
   * a consumer's until replication brings followers.
   */
  private requestsByName(): [string, RequestCounters][] {
    const out: [string, RequestCounters][] = [];
    this.metrics.requests.forEach((r, apiKey) => {
      if (r === undefined) return;
      out.push([API_REGISTRY.get(apiKey)?.name ?? String(apiKey), r]);
      if (apiKey === ApiKey.Fetch) out.push(['FetchConsumer', r]);
    });
    return out;
  }

  private defineReplicaManager(): void {
    this.gauge(
      'kafka_server_replicamanager_underreplicatedpartitions',
      'Partitions led here whose ISR is smaller than their replica set',
      (s) => s.replicas.underReplicated,
    );
    this.gauge(
      'kafka_server_replicamanager_underminisrpartitioncount',
      'Partitions led here whose ISR is smaller than min.insync.replicas (acks=all produce fails)',
      (s) => s.replicas.underMinIsr,
    );
    this.gauge(
      'kafka_server_replicamanager_atminisrpartitioncount',
      'Partitions led here whose ISR is exactly min.insync.replicas',
      (s) => s.replicas.atMinIsr,
    );
    this.gauge(
      'kafka_server_replicamanager_partitioncount',
      'Partitions hosted here',
      (s) => s.replicas.partitions,
    );
    this.gauge('kafka_server_replicamanager_leadercount', 'Partitions led here', (s) => s.replicas.leaders);
    // No follower leaves or joins an ISR until replication lands: these stay 0, truthfully.
    this.fromSnapshot(
      'kafka_server_replicamanager_isrshrinks_total',
      'ISR shrinks (IsrShrinksPerSec)',
      'counter',
      () => [{ value: 0 }],
    );
    this.fromSnapshot(
      'kafka_server_replicamanager_isrexpands_total',
      'ISR expands (IsrExpandsPerSec)',
      'counter',
      () => [{ value: 0 }],
    );
  }

  private defineController(): void {
    this.gauge(
      'kafka_controller_kafkacontroller_activecontrollercount',
      '1 on the active controller, else 0 (a single node is its own controller)',
      (s) => (s.activeController ? 1 : 0),
    );
    this.gauge(
      'kafka_controller_kafkacontroller_offlinepartitionscount',
      'Partitions without a leader',
      (s) => s.cluster.offline,
    );
    this.gauge(
      'kafka_controller_kafkacontroller_globaltopiccount',
      'Topics in the cluster',
      (s) => s.cluster.topics,
    );
    this.gauge(
      'kafka_controller_kafkacontroller_globalpartitioncount',
      'Partitions in the cluster',
      (s) => s.cluster.partitions,
    );
  }

  private defineLogs(): void {
    type Log = NonNullable<ScrapeSnapshot['partitions'][number]['log']>;
    const labels = this.partitionLabels;
    const perPartition = (name: string, help: string, of: (log: Log) => number) =>
      this.fromSnapshot(name, help, 'gauge', function* (s) {
        for (const p of s.partitions) {
          if (p.log !== null) yield { labelText: labels.of(p.topic, p.partition), value: of(p.log) };
        }
      });
    perPartition('kafka_log_log_size', 'Bytes of a partition log on disk (Log Size)', (l) => l.sizeBytes);
    perPartition('kafka_log_log_numlogsegments', 'Segments of a partition log', (l) => l.segmentCount);
    perPartition('kafka_log_log_logstartoffset', 'First offset of a partition log', (l) => l.logStartOffset);
    perPartition(
      'kafka_log_log_logendoffset',
      'Offset after the last record of a partition log',
      (l) => l.logEndOffset,
    );
    this.gauge(
      'kafka_log_logmanager_offlinelogdirectorycount',
      'Log dirs taken offline after an I/O error (OfflineLogDirectoryCount)',
      (s) => s.logDirs.filter((d) => !d.online).length,
    );
    // Kafka has no MBean for disk space (operators use node_exporter); a broker that knows its log
    // dirs can say it directly, under strom_ names since no Kafka rule names them.
    const space = (name: string, help: string, of: (d: ScrapeSnapshot['logDirs'][number]) => number | null) =>
      this.fromSnapshot(name, help, 'gauge', (s) =>
        s.logDirs.flatMap((d) => {
          const value = of(d);
          return value === null ? [] : [{ labels: { logDirectory: d.path }, value }];
        }),
      );
    space('strom_log_dir_total_bytes', 'Size of the file system holding a log dir', (d) => d.totalBytes);
    space(
      'strom_log_dir_usable_bytes',
      'Bytes the broker may still write in a log dir (statfs bavail)',
      (d) => d.usableBytes,
    );
    const flush = logFlushStats.flushTimeMs;
    this.family(
      'kafka_log_logflushstats_logflushrateandtimems',
      'Milliseconds each fsync of a partition log took (LogFlushRateAndTimeMs)',
      'gauge',
      () => {
        flush.rotate(performance.now(), QUANTILE_WINDOW_MS);
        return QUANTILES.map(([q, quantile]) => ({ labels: { quantile }, value: flush.quantile(q) }));
      },
    );
    this.family(
      'kafka_log_logflushstats_logflushrateandtimems_count',
      'Partition log fsyncs (LogFlushRateAndTimeMs Count)',
      'counter',
      () => [{ value: flush.count }],
    );
  }

  /**
   * Client quotas as the JMX exporter's quota rules name Kafka's kafka.server<type=Produce|Fetch|Request,
   * user=…, client-id=…> metrics: kafka_server_quota_throttle_time, _byte_rate and _request_time,
   * labelled with the resource and the user and clientId of the quota that applies (a tag that is
   * empty in Kafka's metric is left out of its MBean name, and so of the labels).
   */
  private defineQuotas(): void {
    const labels = (q: QuotaView): Record<string, string> => ({
      resource: q.type,
      ...(q.user !== '' && { user: q.user }),
      ...(q.clientId !== '' && { clientId: q.clientId }),
    });
    this.fromSnapshot(
      'kafka_server_quota_throttle_time',
      'Average throttle time given over the last minute, in ms, per quota user and client id (NaN when none)',
      'gauge',
      (s) => s.quotas.map((q) => ({ labels: labels(q), value: q.throttleTimeMs })),
    );
    this.fromSnapshot(
      'kafka_server_quota_byte_rate',
      'Bytes per second produced (resource Produce) or fetched (Fetch) under a byte-rate quota',
      'gauge',
      (s) => s.quotas.filter((q) => q.type !== 'Request').map((q) => ({ labels: labels(q), value: q.rate })),
    );
    this.fromSnapshot(
      'kafka_server_quota_request_time',
      'Percent of a thread the requests under a request_percentage quota take',
      'gauge',
      (s) => s.quotas.filter((q) => q.type === 'Request').map((q) => ({ labels: labels(q), value: q.rate })),
    );
  }

  private definePurgatoriesAndConnections(): void {
    const sizes = (s: ScrapeSnapshot): Value[] => [
      { labels: { delayedOperation: 'Produce' }, value: s.purgatories.Produce },
      { labels: { delayedOperation: 'Fetch' }, value: s.purgatories.Fetch },
    ];
    this.fromSnapshot(
      'kafka_server_delayedoperationpurgatory_purgatorysize',
      'Requests waiting in a purgatory (acks=all produce, long-poll fetch)',
      'gauge',
      sizes,
    );
    this.fromSnapshot(
      'kafka_server_delayedoperationpurgatory_numdelayedoperations',
      'Delayed operations in a purgatory',
      'gauge',
      sizes,
    );
    this.fromSnapshot(
      'kafka_server_socket_server_metrics_connection_count',
      'Open client connections per listener (socket-server-metrics connection-count; one event loop, networkProcessor 0)',
      'gauge',
      (s) =>
        [...s.connections].map(([listener, n]) => ({
          labels: { listener, networkProcessor: '0' },
          value: n,
        })),
    );
  }

  /**
   * Consumer lag as kafka-lag-exporter publishes it: per group, topic and partition, the latest
   * offset (the high watermark, a consumer's "latest") minus the committed offset, never below 0;
   * its sums and maximum; and the latest and earliest offsets of the partitions groups consume.
   */
  private defineConsumerLag(): void {
    const perPartition = (name: string, help: string, of: (r: ScrapeSnapshot['lag'][number]) => number) =>
      this.fromSnapshot(name, help, 'gauge', (s) =>
        s.lag.map((r) => ({
          labels: { cluster_name: s.clusterId, group: r.group, topic: r.topic, partition: r.partition },
          value: of(r),
        })),
      );
    perPartition(
      'kafka_consumergroup_group_offset',
      "A group's committed offset of a partition",
      (r) => r.offset,
    );
    perPartition(
      'kafka_consumergroup_group_lag',
      "A partition's latest offset minus a group's committed offset",
      (r) => r.lag,
    );
    const perGroup = (name: string, help: string, combine: (a: number, b: number) => number) =>
      this.fromSnapshot(name, help, 'gauge', (s) => {
        const by = new Map<string, number>();
        for (const r of s.lag) by.set(r.group, combine(by.get(r.group) ?? 0, r.lag));
        return [...by].map(([group, value]) => ({ labels: { cluster_name: s.clusterId, group }, value }));
      });
    perGroup('kafka_consumergroup_group_max_lag', "A group's largest partition lag", Math.max);
    perGroup('kafka_consumergroup_group_sum_lag', "A group's lag over all its partitions", (a, b) => a + b);
    this.fromSnapshot(
      'kafka_consumergroup_group_topic_sum_lag',
      "A group's lag over a topic's partitions",
      'gauge',
      (s) => {
        const by = new Map<string, { group: string; topic: string; lag: number }>();
        for (const r of s.lag) {
          const key = `${r.group}\u0000${r.topic}`;
          const e = by.get(key) ?? { group: r.group, topic: r.topic, lag: 0 };
          e.lag += r.lag;
          by.set(key, e);
        }
        return [...by.values()].map((e) => ({
          labels: { cluster_name: s.clusterId, group: e.group, topic: e.topic },
          value: e.lag,
        }));
      },
    );
    // Only the partitions some group has committed offsets for, as kafka-lag-exporter watches
    // consumed partitions: every partition's offsets are kafka_log_log_* already.
    const offsets = (name: string, help: string, of: (r: ScrapeSnapshot['lag'][number]) => number) =>
      this.fromSnapshot(name, help, 'gauge', (s) => {
        const seen = new Set<string>();
        const out: Value[] = [];
        for (const r of s.lag) {
          const key = `${r.topic}\u0000${r.partition}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({
            labels: { cluster_name: s.clusterId, topic: r.topic, partition: r.partition },
            value: of(r),
          });
        }
        return out;
      });
    offsets(
      'kafka_partition_latest_offset',
      "A consumed partition's latest offset (its high watermark)",
      (r) => r.latest,
    );
    offsets(
      'kafka_partition_earliest_offset',
      "A consumed partition's earliest offset (its log start offset)",
      (r) => r.earliest,
    );
  }
}

let nodeRegistry: Registry | null = null;

/**
 * Node's own metrics (event-loop lag, GC pauses, heap, RSS, handles): prom-client's default
 * metrics, in one registry per process since they describe the process, however many brokers
 * it runs.
 */
function nodeMetrics(): Registry {
  if (nodeRegistry === null) {
    nodeRegistry = new Registry();
    collectDefaultMetrics({ register: nodeRegistry });
  }
  return nodeRegistry;
}
