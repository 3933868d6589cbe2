import { fileURLToPath } from 'node:url';
import { runBenchScript } from './child-processes.js';
import type { SuiteContext } from './suite-context.js';

const SCRIPT = fileURLToPath(new URL('../cluster.bench.js', import.meta.url));

interface Percentiles {
  p50Ms: number;
  p99Ms: number;
  n: number;
}

interface Rates {
  produce: number;
  consume: number;
}

/**
 * bench/cluster.bench.ts: three broker processes and a real etcd. CreateTopics to visible on every
 * broker, controller failover after SIGKILL, 16-partition throughput of three brokers against
 * one, and (full runs) 10,000 partitions on three brokers: creation time and RSS per broker.
 */
export async function runClusterWorkloads(ctx: SuiteContext): Promise<void> {
  const args = ctx.quick
    ? ['--creates', '10', '--failovers', '3', '--records', '50000', '--rounds', '1']
    : [
        '--creates',
        '50',
        '--failovers',
        '20',
        '--records',
        '200000',
        '--rounds',
        '2',
        '--many-partitions',
        '10000',
      ];
  ctx.progress('cluster: CreateTopics visibility, controller failover, 3 vs 1 broker throughput');
  const parsed = await runBenchScript<{
    sessionMs: number;
    create: Percentiles;
    failover: Percentiles;
    throughputs: { partitions: number; records: number; rounds: number; three: Rates; one: Rates };
    many: {
      partitions: number;
      createMs: number;
      visibleMs: number;
      rss: { nodeId: number; rssMiB: number }[];
    } | null;
  }>(ctx, 'cluster', SCRIPT, args);
  if (!parsed) return;
  const { sessionMs, create, failover, throughputs: t, many } = parsed;
  for (const [q, key] of [
    ['p50', 'p50Ms'],
    ['p99', 'p99Ms'],
  ] as const) {
    ctx.rec.add({
      section: 'strom',
      id: `strom.cluster.create-visible.${q}`,
      label: `CreateTopics on one of 3 brokers until visible on all, ${q}`,
      system: 'strom',
      value: create[key],
      unit: 'ms',
      note: `${create.n} topics`,
    });
    ctx.rec.add({
      section: 'strom',
      id: `strom.cluster.failover.${q}`,
      label: `Controller failover after SIGKILL, broker.session.timeout.ms ${sessionMs}, ${q}`,
      system: 'strom',
      value: failover[key],
      unit: 'ms',
      note: `${failover.n} trials`,
    });
  }
  for (const k of ['produce', 'consume'] as const) {
    ctx.rec.add({
      section: 'strom',
      id: `strom.cluster.${k}.rate`,
      label: `${k === 'produce' ? 'Produce' : 'Consume'} ${t.records} records of 1 KiB over ${t.partitions} partitions, 3 brokers`,
      system: 'strom',
      value: t.three[k],
      unit: 'records/s',
      baseline: { label: 'one broker', value: t.one[k] },
      note: `median of ${t.rounds} round(s); ${(t.three[k] / t.one[k]).toFixed(2)}x of one broker`,
    });
  }
  if (many) {
    ctx.rec.add({
      section: 'strom',
      id: 'strom.cluster.many-partitions.create.ms',
      label: `Create ${many.partitions} partitions (ten topics) on 3 brokers`,
      system: 'strom',
      value: many.createMs,
      unit: 'ms',
      note: `on every broker's Metadata after ${many.visibleMs.toFixed(0)} ms`,
    });
    ctx.rec.add({
      section: 'strom',
      id: 'strom.cluster.many-partitions.rss',
      label: `RSS per broker, ${many.partitions} partitions on 3 brokers`,
      system: 'strom',
      value: Math.max(...many.rss.map((r) => r.rssMiB)),
      unit: 'MiB',
      note: `largest of ${many.rss.map((r) => `broker ${r.nodeId} ${r.rssMiB.toFixed(0)} MiB`).join(', ')}`,
    });
  }
}
