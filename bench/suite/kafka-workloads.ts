import { startWorker } from './child-processes.js';
import { KafkaAdmin } from './kafka-admin.js';
import { BATCH_BYTES } from './kafka-load.js';
import { settleDisk } from './settle-disk.js';
import type { Ceilings, SuiteContext } from './suite-context.js';
import type { Figure } from './suite-results.js';
import type { WorkerResult } from './worker-protocol.js';

/**
 * OpenMessaging-Benchmark-like workloads over the Kafka protocol, for Strom or a peer broker:
 * one topic of 1, 16 or 100 partitions, 1 KiB records, acks=1 and acks=all, at max rate
 * (throughput, with a consumer tailing the topic) and at 50 MB/s (end-to-end latency), then a
 * consumer catching up on a backlog.
 */
export interface KafkaTarget {
  /** `strom` or the peer's name. */
  system: string;
  /** Prefix of figure ids and the report section: `strom` or `peer:<name>`. */
  section: string;
  host: string;
  port: number;
}

export const PARTITION_COUNTS = [1, 16, 100];
export const ACKS = [1, -1];
export const FIXED_RATE_MBS = 50;
/** Pipelined produce requests per producer process, as a producer's max.in.flight with many partitions. */
const WINDOW = 32;
/** Batches produced to every partition before a measured run. */
const WARMUP_BATCHES_PER_PARTITION = 4;
/** A generator above this share of a core may be what limits the figure. */
const SATURATED_PERCENT = 75;

export const acksName = (acks: number): string => (acks === 1 ? '1' : 'all');
export const workloadId = (kind: string, partitions: number, acks: number): string =>
  `${kind}.p${partitions}.acks${acksName(acks)}`;

interface LoadOutcome {
  produceMBs: number;
  producers: WorkerResult[];
  /** Null when producers ran alone. */
  consumer: WorkerResult | null;
}

async function runLoad(
  target: KafkaTarget,
  topic: string,
  partitions: number,
  acks: number,
  rateMBs: number,
  producers: number,
  seconds: number,
  /** A consumer tailing the topic (OpenMessaging Benchmark), or producers alone (kafka-producer-perf-test). */
  tailing = true,
): Promise<LoadOutcome> {
  settleDisk();
  // Warm-up, as OpenMessaging Benchmark has one: a few batches to every partition before measuring,
  // so that opening partitions (files, leader-epoch checkpoints) is not counted as steady state.
  // The consumer starts afterwards and ignores batches stamped before it started.
  await startWorker({
    kind: 'kafka-produce',
    host: target.host,
    port: target.port,
    topic,
    partitions: Array.from({ length: partitions }, (_, p) => p),
    acks,
    durationMs: 30_000,
    rateBytesPerSec: 0,
    window: WINDOW,
    bytesLimit: WARMUP_BATCHES_PER_PARTITION * partitions * BATCH_BYTES,
  }).result;
  const consumer = !tailing
    ? null
    : startWorker({
        kind: 'kafka-consume',
        host: target.host,
        port: target.port,
        topic,
        partitionCount: partitions,
        untilCaughtUp: false,
        latency: true,
      });
  await consumer?.ready;
  const workers = Array.from({ length: producers }, (_, i) =>
    startWorker({
      kind: 'kafka-produce',
      host: target.host,
      port: target.port,
      topic,
      partitions: Array.from({ length: partitions }, (_, p) => p).filter(
        (p) => partitions < producers || p % producers === i,
      ),
      acks,
      durationMs: seconds * 1000,
      rateBytesPerSec: (rateMBs * 1e6) / producers,
      window: WINDOW,
    }),
  );
  const results = await Promise.all(workers.map((w) => w.result));
  consumer?.stop();
  const c = (await consumer?.result) ?? null;
  const bytes = results.reduce((s, r) => s + r.bytes, 0);
  const secs = Math.max(...results.map((r) => r.seconds));
  return { produceMBs: bytes / 1e6 / secs, producers: results, consumer: c };
}

function notesOf(o: LoadOutcome): string | undefined {
  const errors = o.producers.reduce((s, r) => s + r.errors, 0);
  const notes = o.producers.map((r) => r.note).filter((n) => n);
  if (errors === 0 && notes.length === 0) return undefined;
  return `${errors} failed or skipped sends${notes.length ? `: ${notes[0]}` : ''}`;
}

const cpuOf = (o: LoadOutcome): number[] => [
  ...o.producers.map((r) => r.cpuPercent ?? 0),
  ...(o.consumer ? [o.consumer.cpuPercent ?? 0] : []),
];

export async function runKafkaWorkloads(
  ctx: SuiteContext,
  target: KafkaTarget,
  ceilings: Ceilings,
  /** Strom's figures of this run, by id without the section prefix: a peer is compared with them. */
  strom?: (id: string) => Figure | undefined,
): Promise<string> {
  const admin = await KafkaAdmin.open(target.host, target.port);
  const runId = Date.now().toString(36);
  // Strom's labels read as they are; a peer's name their figures in the report and the charts' legends.
  const named = (label: string): string => (target.system === 'strom' ? label : `${target.system}: ${label}`);
  const compareWith = (id: string, fallback?: { label: string; value: number }) => {
    const s = strom?.(id);
    if (s) return { label: `Strom (${s.value.toFixed(s.value >= 100 ? 0 : 2)} ${s.unit})`, value: s.value };
    return fallback;
  };
  try {
    for (const partitions of PARTITION_COUNTS) {
      for (const acks of ACKS) {
        const id = workloadId('throughput', partitions, acks);
        ctx.progress(`${target.system}: max rate, ${partitions} partition(s), acks=${acksName(acks)}`);
        let producers = ctx.producers;
        let best: LoadOutcome | null = null;
        for (;;) {
          const topic = `bench-${runId}-${id.replaceAll('.', '-')}-${producers}`;
          await admin.createTopic(topic, partitions);
          const o = await runLoad(target, topic, partitions, acks, 0, producers, ctx.seconds);
          await admin.deleteTopic(topic);
          if (!best || o.produceMBs > best.produceMBs) best = o;
          const saturated = o.producers.some((r) => (r.cpuPercent ?? 0) > SATURATED_PERCENT);
          if (!saturated || producers >= 4) break;
          producers *= 2;
          ctx.progress(`  a producer process was saturated: again with ${producers}`);
        }
        ctx.rec.add({
          section: target.section,
          id: `${target.section}.${id}`,
          label: named(`Produce, ${partitions} partition(s), acks=${acksName(acks)}, max rate`),
          system: target.system,
          value: best.produceMBs,
          unit: 'MB/s',
          baseline: compareWith(id, { label: 'disk ceiling', value: ceilings.diskBufferedMBs }),
          generatorCpuPercent: cpuOf(best),
          ...(best.consumer?.latency ? { latency: best.consumer.latency } : {}),
          ...(notesOf(best) ? { note: notesOf(best) } : {}),
        });
      }
    }
    {
      // Producers alone, as kafka-producer-perf-test measures a broker: the issue's throughput target.
      const id = workloadId('produce-only', 16, 1);
      ctx.progress(`${target.system}: max rate, producers only, 16 partitions, acks=1`);
      const topic = `bench-${runId}-${id.replaceAll('.', '-')}`;
      await admin.createTopic(topic, 16);
      const o = await runLoad(target, topic, 16, 1, 0, Math.max(2, ctx.producers), ctx.seconds, false);
      await admin.deleteTopic(topic);
      ctx.rec.add({
        section: target.section,
        id: `${target.section}.${id}`,
        label: named('Produce, 16 partition(s), acks=1, max rate, producers only (no consumer)'),
        system: target.system,
        value: o.produceMBs,
        unit: 'MB/s',
        baseline: compareWith(id, { label: 'disk ceiling', value: ceilings.diskBufferedMBs }),
        generatorCpuPercent: cpuOf(o),
        ...(notesOf(o) ? { note: notesOf(o) } : {}),
      });
    }
    for (const partitions of PARTITION_COUNTS) {
      for (const acks of ACKS) {
        const id = workloadId('latency', partitions, acks);
        ctx.progress(
          `${target.system}: ${FIXED_RATE_MBS} MB/s, ${partitions} partition(s), acks=${acksName(acks)}`,
        );
        const topic = `bench-${runId}-${id.replaceAll('.', '-')}`;
        await admin.createTopic(topic, partitions);
        const o = await runLoad(target, topic, partitions, acks, FIXED_RATE_MBS, ctx.producers, ctx.seconds);
        await admin.deleteTopic(topic);
        const l = o.consumer?.latency;
        if (!l) {
          ctx.rec.skip(`${target.system} ${id}`, 'the consumer received nothing');
          continue;
        }
        const s = strom?.(id);
        ctx.rec.add({
          section: target.section,
          id: `${target.section}.${id}`,
          label: named(
            `End-to-end p99 at ${FIXED_RATE_MBS} MB/s, ${partitions} partition(s), acks=${acksName(acks)}`,
          ),
          system: target.system,
          value: l.p99Ms,
          unit: 'ms',
          ...(s ? { baseline: { label: `Strom (${s.value.toFixed(2)} ms)`, value: s.value } } : {}),
          generatorCpuPercent: cpuOf(o),
          latency: l,
          note: `achieved ${o.produceMBs.toFixed(1)} MB/s${notesOf(o) ? `; ${notesOf(o)}` : ''}`,
        });
      }
    }
    // The backlog topic stays: Strom's restart workload recovers it.
    return await catchUp(ctx, target, admin, ceilings, runId, compareWith, named);
  } finally {
    admin.close();
  }
}

/** Fills a 16-partition topic, then times a consumer reading it from the start. */
async function catchUp(
  ctx: SuiteContext,
  target: KafkaTarget,
  admin: KafkaAdmin,
  ceilings: Ceilings,
  runId: string,
  compareWith: (id: string, fallback?: { label: string; value: number }) => Figure['baseline'],
  named: (label: string) => string,
): Promise<string> {
  const topic = `bench-${runId}-backlog`;
  const partitions = 16;
  await admin.createTopic(topic, partitions);
  const mb = ctx.backlogBytes / 1e6;
  ctx.progress(`${target.system}: writing a ${mb.toFixed(0)} MB backlog`);
  const producers = Array.from({ length: ctx.producers }, (_, i) =>
    startWorker({
      kind: 'kafka-produce',
      host: target.host,
      port: target.port,
      topic,
      partitions: Array.from({ length: partitions }, (_, p) => p).filter((p) => p % ctx.producers === i),
      acks: 1,
      durationMs: 30 * 60_000,
      rateBytesPerSec: 0,
      window: WINDOW,
      bytesLimit: ctx.backlogBytes / ctx.producers,
    }),
  );
  const written = await Promise.all(producers.map((p) => p.result));
  ctx.progress(`${target.system}: consumer catching up on ${mb.toFixed(0)} MB`);
  const consumer = startWorker({
    kind: 'kafka-consume',
    host: target.host,
    port: target.port,
    topic,
    partitionCount: partitions,
    untilCaughtUp: true,
    latency: false,
  });
  const c = await consumer.result;
  const writtenBytes = written.reduce((s, r) => s + r.bytes, 0);
  ctx.rec.add({
    section: target.section,
    id: `${target.section}.backlog`,
    label: named(`Consumer catching up on a ${(writtenBytes / 1e6).toFixed(0)} MB backlog, 16 partitions`),
    system: target.system,
    value: c.bytes / 1e6 / c.seconds,
    unit: 'MB/s',
    baseline: compareWith('backlog', { label: 'loopback TCP ceiling', value: ceilings.tcpEchoMBs }),
    generatorCpuPercent: [c.cpuPercent ?? 0],
    note: `read ${(c.bytes / 1e6).toFixed(0)} MB in ${c.seconds.toFixed(1)} s`,
  });
  return topic;
}
