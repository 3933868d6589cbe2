import { Kafka } from '../../src/client/index.js';
import { noopLogger } from '../../src/common/logger.js';
import { brokerNodeName, startCluster, type TestCluster, waitUntil } from '../helpers/cluster-processes.js';
import { NetnsNetwork, netnsUnavailable } from '../helpers/netns-network.js';
import { Prng } from '../helpers/prng.js';
import { startKafkajsConsumer, startKafkajsProducer, startPythonDriver } from './client-drivers.js';
import { type CheckResult, checkHistory, type ReadEvent, stalledConsumers } from './history-checker.js';
import {
  type FaultKind,
  healEverything,
  type NemesisContext,
  planFaults,
  ROOT_FAULTS,
  runFault,
} from './nemesis.js';
import {
  type Driver,
  drainTopic,
  History,
  startStromConsumer,
  startStromProducer,
  type WorkloadOptions,
} from './workload.js';

/**
 * One chaos trial: a fresh cluster of three brokers and etcd (each in its own network namespace
 * when this process may make them), a topic, the workload's producers and consumers, the seed's
 * faults one after the other, then everything healed, the workload stopped, the final read and
 * the checker's verdict.
 */

export type ClientKind = 'strom' | 'python' | 'kafkajs';

export interface TrialOptions {
  seed: number;
  faults: number;
  kinds: readonly FaultKind[];
  clients: readonly ClientKind[];
  replicationFactor: number;
  /** min.insync.replicas of the topic (only with a replication factor above 1). */
  minInsyncReplicas: number;
  partitions: number;
  log: (line: string) => void;
}

export interface TrialResult {
  seed: number;
  namespaces: boolean;
  /** What each fault did, in order. */
  faults: string[];
  /** Fault kinds asked for that this machine cannot run, and why. */
  skippedKinds: string[];
  check: CheckResult;
}

const TOPIC = 'chaos';
const SESSION_TIMEOUT_MS = 2000;
const CONSUMER_CATCH_UP_MS = 15_000;
/** Each broker's log dir when disk-full is drawn: room for a trial's records, small to fill. */
const LOG_DIR_TMPFS_BYTES = 256 * 1024 * 1024;

/** Waits until every live broker names a leader for every partition of the topic. */
async function waitAllLed(cluster: TestCluster, partitions: number): Promise<void> {
  let last = '';
  await waitUntil(
    `every partition of ${TOPIC} led`,
    async () => {
      for (const b of cluster.live) {
        const md = await b.metadata().catch(() => null);
        const t = md?.topics.find((x) => x.name === TOPIC);
        const led = t?.partitions.filter((p) => p.leaderId >= 0).length ?? 0;
        if (led < partitions) {
          last = `broker ${b.nodeId} sees ${led} of ${partitions} partitions led`;
          return false;
        }
      }
      return true;
    },
    60_000,
    () => last,
  );
}

function startDrivers(clients: readonly ClientKind[], o: WorkloadOptions): Driver[] {
  const drivers: Driver[] = [];
  for (const c of clients) {
    if (c === 'strom') {
      drivers.push(
        startStromProducer('strom-0', o),
        startStromProducer('strom-1', o),
        startStromConsumer('strom-c', o),
      );
    } else if (c === 'python') {
      drivers.push(startPythonDriver('produce', 'python-0', o), startPythonDriver('consume', 'python-c', o));
    } else {
      drivers.push(startKafkajsProducer('kafkajs-0', o), startKafkajsConsumer('kafkajs-c', o));
    }
  }
  return drivers;
}

/** Stops the drivers (removing them from the list), then throws the first failure. */
async function stopAll(drivers: Driver[], only: readonly Driver[] = drivers): Promise<void> {
  const stopping = [...only];
  for (const d of stopping) drivers.splice(drivers.indexOf(d), 1);
  const stopped = await Promise.allSettled(stopping.map((d) => d.stop()));
  const failed = stopped.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export async function runTrial(o: TrialOptions): Promise<TrialResult> {
  const prng = new Prng(o.seed);
  const skippedKinds: string[] = [];
  const noNetns = netnsUnavailable();
  let kinds = [...o.kinds];
  if (noNetns) {
    for (const k of kinds.filter((x) => ROOT_FAULTS.has(x))) skippedKinds.push(`${k}: ${noNetns}`);
    kinds = kinds.filter((x) => !ROOT_FAULTS.has(x));
  }
  const net = noNetns
    ? null
    : NetnsNetwork.create(['etcd', ...Array.from({ length: 3 }, (_, i) => brokerNodeName(i + 1))]);
  if (net && kinds.includes('delay') && !net.netemAvailable()) {
    skippedKinds.push('delay: tc netem is not available in this kernel (sch_netem)');
    kinds = kinds.filter((x) => x !== 'delay');
  }
  // The plan is drawn after the machine's limits are known, so a seed replays on the same kind of machine.
  const plan = planFaults(prng, kinds, o.faults);
  let cluster: TestCluster | null = null;
  const drivers: Driver[] = [];
  const done: string[] = [];
  try {
    cluster = await startCluster({
      network: net ?? undefined,
      ...(kinds.includes('disk-full') ? { logDirTmpfsBytes: LOG_DIR_TMPFS_BYTES } : {}),
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      waitLimitMs: 30_000,
    });
    const admin = new Kafka({ bootstrapServers: cluster.bootstrapServers, logger: noopLogger }).admin();
    try {
      await admin.createTopics([
        {
          topic: TOPIC,
          numPartitions: o.partitions,
          replicationFactor: o.replicationFactor,
          ...(o.replicationFactor > 1
            ? { configs: { 'min.insync.replicas': String(o.minInsyncReplicas) } }
            : {}),
        },
      ]);
    } finally {
      await admin.close();
    }
    await waitAllLed(cluster, o.partitions);
    const history = new History();
    const workload: WorkloadOptions = {
      bootstrap: cluster.bootstrapServers,
      topic: TOPIC,
      partitions: o.partitions,
      history,
    };
    drivers.push(...startDrivers(o.clients, workload));
    const ctx: NemesisContext = { cluster, net, topic: TOPIC, log: o.log };
    await new Promise((r) => setTimeout(r, 1500));
    try {
      for (const f of plan) {
        const what = await runFault(ctx, f);
        done.push(what);
        o.log(`  ${what}`);
        await new Promise((r) => setTimeout(r, f.quietMs));
      }
    } finally {
      await healEverything(ctx);
    }
    await cluster.waitForBrokers([1, 2, 3], 60_000);
    await waitAllLed(cluster, o.partitions);
    // Load on a healed cluster, so every driver's pending sends go through before it stops.
    await new Promise((r) => setTimeout(r, 2000));
    await stopAll(
      drivers,
      drivers.filter((d) => d.role === 'producer'),
    );
    await drainTopic(cluster.bootstrapServers, TOPIC, o.partitions, history);
    // Consumers get a bounded time to read up to the end; what they miss is reported as stalled.
    const deadline = Date.now() + CONSUMER_CATCH_UP_MS;
    const final = history.events.filter((e): e is ReadEvent => e.type === 'final');
    while (Date.now() < deadline) {
      const reads = history.events.filter((e): e is ReadEvent => e.type === 'read');
      if (stalledConsumers(reads, final).length === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await stopAll(drivers);
    return {
      seed: o.seed,
      namespaces: net !== null,
      faults: done,
      skippedKinds,
      check: checkHistory(history.events),
    };
  } finally {
    await Promise.allSettled(drivers.map((d) => d.stop()));
    await cluster?.close();
    net?.closeSync();
  }
}
