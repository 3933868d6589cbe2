import { brokerNodeName, fillDisk, type TestCluster } from '../helpers/cluster-processes.js';
import type { NetnsNetwork } from '../helpers/netns-network.js';
import type { Prng } from '../helpers/prng.js';

/**
 * The chaos runner's nemesis: a fault plan drawn from a seed (which faults, in which order, for how
 * long, and the quiet time between them), and the code that injects and heals each fault on a
 * cluster of real processes. The target broker is chosen when the fault starts: the broker that
 * leads most of the workload's partitions then (the seed breaks ties), since a fault on a leader is
 * the one that tests failover.
 */

export const FAULT_KINDS = [
  'kill',
  'pause',
  'isolate',
  'cut',
  'rolling-restart',
  'etcd-stop',
  'delay',
  'disk-full',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What each fault does, for --help and the report. */
export const FAULT_DESCRIPTIONS: Record<FaultKind, string> = {
  kill: 'SIGKILL the leader of most workload partitions, restart it after the fault time',
  pause: 'SIGSTOP that leader for the fault time (often past its session timeout), then SIGCONT',
  isolate: "set that leader's veth down (it reaches nothing: etcd, brokers, clients), then up",
  cut: 'drop traffic between that leader and the other brokers only (it still reaches etcd and clients)',
  'rolling-restart':
    'stop each broker in turn with SIGTERM and start it again, waiting until it is registered',
  'etcd-stop': 'SIGKILL etcd for the fault time, then start it again on the same data',
  delay: "add 50-200 ms delay and 0-10 % loss to that leader's packets (tc netem), then remove it",
  'disk-full': "fill that leader's log dir (a tmpfs) to the last byte, then free it",
};

/** Faults that need root: network namespaces, and mounting a tmpfs per log dir for disk-full. */
export const ROOT_FAULTS: ReadonlySet<FaultKind> = new Set(['isolate', 'cut', 'delay', 'disk-full']);

export interface PlannedFault {
  kind: FaultKind;
  /** How long the fault lasts before it heals (rolling restarts ignore it). */
  durationMs: number;
  /** Quiet time after the heal, before the next fault. */
  quietMs: number;
  /** Draws ties between candidate targets. */
  tieBreak: number;
}

/** `count` faults drawn from `prng` among `kinds`: the same seed gives the same plan. */
export function planFaults(prng: Prng, kinds: readonly FaultKind[], count: number): PlannedFault[] {
  if (kinds.length === 0) throw new Error('no fault kinds to draw from');
  return Array.from({ length: count }, () => ({
    kind: prng.pick(kinds),
    durationMs: 1000 + prng.int(4000),
    quietMs: 1000 + prng.int(2000),
    tieBreak: prng.nextU32(),
  }));
}

export interface NemesisContext {
  cluster: TestCluster;
  net: NetnsNetwork | null;
  topic: string;
  log: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The running broker leading most of the topic's partitions, as a live broker's Metadata says. */
async function busiestLeader(ctx: NemesisContext, tieBreak: number): Promise<number> {
  const counts = new Map<number, number>();
  for (const b of ctx.cluster.live) {
    const md = await b.metadata().catch(() => null);
    const t = md?.topics.find((x) => x.name === ctx.topic);
    if (!t) continue;
    for (const p of t.partitions)
      if (p.leaderId >= 0) counts.set(p.leaderId, (counts.get(p.leaderId) ?? 0) + 1);
    break;
  }
  const running = ctx.cluster.brokers.filter((b) => b.running).map((b) => b.nodeId);
  const candidates = running.filter((id) => counts.has(id));
  const pool = candidates.length > 0 ? candidates : running;
  const most = Math.max(...pool.map((id) => counts.get(id) ?? 0));
  const best = pool.filter((id) => (counts.get(id) ?? 0) === most);
  return best[tieBreak % best.length]!;
}

/** Injects one fault, waits its duration, heals it; returns what was done. */
export async function runFault(ctx: NemesisContext, f: PlannedFault): Promise<string> {
  const { cluster, net } = ctx;
  if (f.kind === 'rolling-restart') {
    for (const b of cluster.brokers) {
      await b.stop();
      await b.start();
      await cluster.waitForBrokers(cluster.brokers.map((x) => x.nodeId));
    }
    return 'rolling restart of every broker (SIGTERM, start, registered)';
  }
  if (f.kind === 'etcd-stop') {
    if (!cluster.etcd) throw new Error('etcd-stop needs the etcd the harness started');
    await cluster.etcd.kill();
    await sleep(f.durationMs);
    await cluster.etcd.start();
    return `etcd stopped for ${f.durationMs} ms`;
  }
  const target = await busiestLeader(ctx, f.tieBreak);
  const broker = cluster.broker(target);
  const node = brokerNodeName(target);
  const needNet = (): NetnsNetwork => {
    if (!net) throw new Error(`the ${f.kind} fault needs network namespaces`);
    return net;
  };
  switch (f.kind) {
    case 'kill':
      await broker.kill('SIGKILL');
      await sleep(f.durationMs);
      await broker.start();
      return `SIGKILL broker ${target}, restarted after ${f.durationMs} ms`;
    case 'pause':
      broker.pause();
      await sleep(f.durationMs);
      broker.resume();
      return `SIGSTOP broker ${target} for ${f.durationMs} ms`;
    case 'isolate':
      needNet().isolate(node);
      await sleep(f.durationMs);
      needNet().heal(node);
      return `isolated broker ${target} for ${f.durationMs} ms`;
    case 'cut':
      for (const other of cluster.brokers)
        if (other.nodeId !== target) needNet().cut(node, brokerNodeName(other.nodeId));
      await sleep(f.durationMs);
      needNet().heal(node);
      return `cut broker ${target} from the other brokers for ${f.durationMs} ms`;
    case 'disk-full': {
      const free = fillDisk(broker.logDir);
      await sleep(f.durationMs);
      free();
      return `filled broker ${target}'s disk for ${f.durationMs} ms`;
    }
    case 'delay': {
      const delayMs = 50 + (f.tieBreak % 151);
      const loss = f.tieBreak % 11;
      needNet().delay(node, delayMs, loss);
      await sleep(f.durationMs);
      needNet().heal(node);
      return `delayed broker ${target} by ${delayMs} ms with ${loss} % loss for ${f.durationMs} ms`;
    }
  }
}

/** Undoes whatever a failed fault left: every node healed, every broker and etcd running and continued. */
export async function healEverything(ctx: NemesisContext): Promise<void> {
  ctx.net?.healAll();
  if (ctx.cluster.etcd) {
    const c = ctx.cluster.etcd.child;
    if (c.exitCode !== null || c.signalCode !== null) await ctx.cluster.etcd.start();
  }
  for (const b of ctx.cluster.brokers) {
    if (b.paused) b.resume();
    if (!b.running) await b.start();
  }
}
