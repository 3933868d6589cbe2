import type { BrokerObserver, PartitionView } from '../../broker/broker-observer.js';
import type { KafkaMetrics } from '../kafka-metrics.js';
import { lagRows } from '../scrape-snapshot.js';

/** Samples kept: at the default 5 s interval, the last 10 minutes. */
export const SAMPLES_MAX = 120;
/** Groups whose lag history is kept; the ones seen longest ago are dropped beyond it. */
export const GROUPS_MAX = 256;
/** Partitions of one group whose lag history is kept. */
export const GROUP_PARTITIONS_MAX = 1024;

/** The broker's traffic over one interval, per second. */
export interface ThroughputPoint {
  readonly t: number;
  readonly bytesInPerSec: number;
  readonly bytesOutPerSec: number;
  readonly messagesInPerSec: number;
}

/** One group's lag at one time: per partition ("topic:partition") and in total. */
export interface LagPoint {
  readonly t: number;
  readonly total: number;
  readonly partitions: Readonly<Record<string, number>>;
}

interface Totals {
  readonly t: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly messagesIn: number;
}

/**
 * What the console's charts show over time, sampled by the broker itself every few seconds (and
 * when a page asks and the last sample is older than a second): the broker's total throughput
 * from its BrokerTopicMetrics counters, each topic's message and byte rates, and each group's lag
 * per partition from its committed offsets, as /metrics computes it. Everything is kept in
 * fixed-size windows, so memory does not grow with time, and is bounded by the topic count and by
 * GROUPS_MAX × GROUP_PARTITIONS_MAX × SAMPLES_MAX.
 */
export class ConsoleSampler {
  private readonly totals: Totals[] = [];
  private topicsPrev = new Map<string, { bytesIn: number; messagesIn: number; t: number }>();
  private topicsNow = new Map<string, { bytesIn: number; messagesIn: number; t: number }>();
  private readonly lag = new Map<string, LagPoint[]>();
  private timer: NodeJS.Timeout | null = null;
  private lastMs = 0;

  constructor(
    private readonly metrics: KafkaMetrics,
    private readonly observer: () => BrokerObserver | null,
    private readonly now: () => number = Date.now,
  ) {}

  start(intervalMs: number): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Samples now unless the last sample is younger than `maxAgeMs`. */
  fresh(maxAgeMs = 1000): void {
    if (this.now() - this.lastMs >= maxAgeMs) this.sample();
  }

  sample(): void {
    const t = this.now();
    this.lastMs = t;
    const all = this.metrics.allTopics;
    push(this.totals, { t, bytesIn: all.bytesIn, bytesOut: all.bytesOut, messagesIn: all.messagesIn });
    this.topicsPrev = this.topicsNow;
    this.topicsNow = new Map();
    for (const [topic, c] of this.metrics.topics) {
      this.topicsNow.set(topic, { bytesIn: c.bytesIn, messagesIn: c.messagesIn, t });
    }
    const observer = this.observer();
    if (observer !== null) this.sampleLag(observer, t);
  }

  private sampleLag(observer: BrokerObserver, t: number): void {
    const logs = new Map<string, PartitionView['log']>();
    observer.forEachPartition((p) => logs.set(`${p.topic}:${p.partition}`, p.log));
    const byGroup = new Map<string, { total: number; partitions: Record<string, number>; n: number }>();
    for (const row of lagRows(observer, (topic, partition) => logs.get(`${topic}:${partition}`))) {
      let g = byGroup.get(row.group);
      if (g === undefined) {
        g = { total: 0, partitions: {}, n: 0 };
        byGroup.set(row.group, g);
      }
      g.total += row.lag;
      if (g.n++ < GROUP_PARTITIONS_MAX) g.partitions[`${row.topic}:${row.partition}`] = row.lag;
    }
    for (const [group, g] of byGroup) {
      let points = this.lag.get(group);
      if (points === undefined) {
        points = [];
      } else {
        this.lag.delete(group); // re-inserted below: the map's order is least recently seen first
      }
      this.lag.set(group, points);
      push(points, { t, total: g.total, partitions: g.partitions });
    }
    for (const group of this.lag.keys()) {
      if (this.lag.size <= GROUPS_MAX) break;
      this.lag.delete(group);
    }
  }

  /** Rates between consecutive samples, oldest first. */
  throughput(): ThroughputPoint[] {
    const out: ThroughputPoint[] = [];
    for (let i = 1; i < this.totals.length; i++) {
      const a = this.totals[i - 1]!;
      const b = this.totals[i]!;
      const s = Math.max(1, b.t - a.t) / 1000;
      out.push({
        t: b.t,
        bytesInPerSec: (b.bytesIn - a.bytesIn) / s,
        bytesOutPerSec: (b.bytesOut - a.bytesOut) / s,
        messagesInPerSec: (b.messagesIn - a.messagesIn) / s,
      });
    }
    return out;
  }

  /** A topic's rates over the last sampling interval; zero before two samples. */
  topicRates(topic: string): { bytesInPerSec: number; messagesInPerSec: number } {
    const b = this.topicsNow.get(topic);
    const a = this.topicsPrev.get(topic);
    if (b === undefined) return { bytesInPerSec: 0, messagesInPerSec: 0 };
    const base = a ?? { bytesIn: 0, messagesIn: 0, t: this.totals.at(-2)?.t ?? b.t };
    const s = Math.max(1, b.t - base.t) / 1000;
    return {
      bytesInPerSec: Math.max(0, b.bytesIn - base.bytesIn) / s,
      messagesInPerSec: Math.max(0, b.messagesIn - base.messagesIn) / s,
    };
  }

  /** A group's lag samples, oldest first. */
  groupLag(group: string): readonly LagPoint[] {
    return this.lag.get(group) ?? [];
  }

  /** The group's total lag at the last sample; null when it has no committed offsets here. */
  groupTotalLag(group: string): number | null {
    return this.lag.get(group)?.at(-1)?.total ?? null;
  }
}

function push<T>(ring: T[], v: T): void {
  ring.push(v);
  if (ring.length > SAMPLES_MAX) ring.shift();
}
