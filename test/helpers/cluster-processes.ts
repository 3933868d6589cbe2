import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { DescribeClusterResponse } from '../../src/protocol/generated/messages/describe-cluster-response.js';
import type { DescribeLogDirsResponse } from '../../src/protocol/generated/messages/describe-log-dirs-response.js';
import type { MetadataResponse } from '../../src/protocol/generated/messages/metadata-response.js';
import { type EtcdProcess, startEtcd } from './etcd-process.js';
import type { NetnsNetwork } from './netns-network.js';
import { request } from './request.js';
import { freePort, STROM_BIN } from './server-process.js';

/**
 * A cluster of real processes for tests: one etcd and N `strom server` brokers on free ports, each
 * with its own log dir under one temporary directory. Every process a cluster starts is SIGKILLed
 * by `close()`, and by an exit hook of the test process if a test never reaches `close()`, so a
 * failing test leaves no broker or etcd behind.
 */

/** Children still running, killed when the test process exits whatever the way. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
  for (const dir of mounted) unmount(dir);
});

/** Log dirs mounted as tmpfs (`ClusterOptions.logDirTmpfsBytes`), unmounted by `close` or at exit. */
const mounted = new Set<string>();

function unmount(dir: string): void {
  if (!mounted.delete(dir)) return;
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {
    // not mounted any more
  }
}

/** The output kept per broker for failure messages: the last bytes only, so memory stays bounded. */
const OUTPUT_KEPT_BYTES = 256 * 1024;

export interface ClusterOptions {
  /** Brokers, with node ids 1..brokers (default 3). */
  brokers?: number;
  /** `broker.session.timeout.ms` (default 2000: short, so fencing is seen within a test). */
  sessionTimeoutMs?: number;
  /** `broker.heartbeat.interval.ms` (default a quarter of the session timeout). */
  heartbeatIntervalMs?: number;
  /** `broker.rack` of each broker by node id (none by default). */
  racks?: Readonly<Record<number, string>>;
  /** Extra config keys for every broker. */
  overrides?: Readonly<Record<string, string>>;
  /**
   * The security protocol of each broker's one listener, named after it (default PLAINTEXT). The
   * harness's own requests (`metadata`, `describeCluster`, the `registered` wait) are plaintext:
   * with another protocol, start with `ready: 'listening'` and ask with a client that speaks it.
   */
  listener?: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  /**
   * What `startCluster` waits for: `registered` (default) until every broker's Metadata lists all
   * brokers; `listening` only until each answers /readyz.
   */
  ready?: 'registered' | 'listening';
  /** The bound of each wait the harness does itself (default 20 s). */
  waitLimitMs?: number;
  /** An etcd to use instead of starting one (left running by `close`). */
  etcdEndpoint?: string;
  /**
   * Runs etcd and each broker in its own network namespace of this network (nodes named `etcd`
   * and `broker-<id>`), listening on and advertising the namespace's address, so that a test can
   * isolate one of them. The caller creates and closes the network.
   */
  network?: NetnsNetwork;
  /**
   * Mounts each broker's log dir as a tmpfs of this many bytes (root only), so that a test can fill
   * one broker's disk (see `fillDisk`). Unmounted by `close`.
   */
  logDirTmpfsBytes?: number;
}

/** The network node name of broker `nodeId` in `ClusterOptions.network`. */
export function brokerNodeName(nodeId: number): string {
  return `broker-${nodeId}`;
}

/** One `strom server` process of the cluster, restartable on the same ports and log dir. */
export class ClusterBroker {
  private process: ChildProcess | null = null;
  private exitedPromise: Promise<number | string> = Promise.resolve(0);
  private out = '';
  private pausedNow = false;

  constructor(
    readonly nodeId: number,
    /** host:port of its listener (PLAINTEXT unless ClusterOptions.listener says otherwise), as clients bootstrap with. */
    readonly bootstrap: string,
    /** Its HTTP listener (/readyz, /metrics). */
    readonly httpUrl: string,
    readonly logDir: string,
    private readonly args: readonly string[],
    /** A command prefix the broker runs under (`ip netns exec <ns>`), none by default. */
    private readonly wrap: readonly string[] = [],
  ) {}

  get running(): boolean {
    const c = this.process;
    return c !== null && c.exitCode === null && c.signalCode === null;
  }

  /** Stopped with SIGSTOP and not continued yet. */
  get paused(): boolean {
    return this.running && this.pausedNow;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Resolves with the exit code (or signal name) of the current process. */
  get exited(): Promise<number | string> {
    return this.exitedPromise;
  }

  /** Its output so far (stdout and stderr, the last 256 KiB), for failure messages. */
  output(): string {
    return this.out;
  }

  /** Spawns the broker (if not running) and waits until /readyz answers 200. */
  async start(limitMs = 20_000): Promise<void> {
    if (!this.running) this.spawn();
    await this.waitReady(limitMs);
  }

  private spawn(): void {
    const command = [...this.wrap, process.execPath, STROM_BIN, 'server', ...this.args];
    const child = spawn(command[0]!, command.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    this.pausedNow = false;
    running.add(child);
    const keep = (c: Buffer): void => {
      this.out += c.toString();
      if (this.out.length > OUTPUT_KEPT_BYTES) this.out = this.out.slice(-OUTPUT_KEPT_BYTES);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exitedPromise = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        resolve(code ?? signal ?? -1);
      }),
    );
  }

  /** Waits until /readyz answers 200 (fails at once if the process exits). */
  async waitReady(limitMs = 20_000): Promise<void> {
    await waitUntil(
      `broker ${this.nodeId} ready`,
      async () => {
        if (!this.running) throw new Error(`broker ${this.nodeId} exited:\n${this.out}`);
        try {
          const res = await fetch(`${this.httpUrl}/readyz`, { signal: AbortSignal.timeout(1000) });
          await res.arrayBuffer();
          return res.status === 200;
        } catch {
          return false;
        }
      },
      limitMs,
      () => this.out,
    );
  }

  /** Sends a signal and, for SIGKILL, waits until the process is gone. */
  async kill(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.process!.kill(signal);
    if (signal === 'SIGKILL') await this.exitedPromise;
  }

  /** A clean stop (SIGTERM), SIGKILL if it has not exited within `limitMs`. */
  async stop(limitMs = 10_000): Promise<number | string> {
    if (!this.running) return this.exitedPromise;
    if (this.pausedNow) this.resume();
    this.process!.kill('SIGTERM');
    const timer = setTimeout(() => this.process?.kill('SIGKILL'), limitMs);
    try {
      return await this.exitedPromise;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGSTOP: the process stays, but does nothing (no heartbeats, no answers) until `resume`. */
  pause(): void {
    if (!this.running) throw new Error(`broker ${this.nodeId} is not running`);
    this.process!.kill('SIGSTOP');
    this.pausedNow = true;
  }

  /** SIGCONT after `pause`. */
  resume(): void {
    if (!this.running) return;
    this.process!.kill('SIGCONT');
    this.pausedNow = false;
  }

  /** SIGKILL, then start again on the same ports and log dir. */
  async restart(limitMs = 20_000): Promise<void> {
    await this.kill('SIGKILL');
    await this.start(limitMs);
  }

  /** Metadata v12 of every topic, asked of this broker. */
  metadata(): Promise<MetadataResponse> {
    return request<MetadataResponse>(this.bootstrap, ApiKey.Metadata, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
  }

  /** DescribeLogDirs v4 of every partition this broker hosts. */
  describeLogDirs(): Promise<DescribeLogDirsResponse> {
    return request<DescribeLogDirsResponse>(this.bootstrap, ApiKey.DescribeLogDirs, 4, { topics: null });
  }

  /** DescribeCluster v1, asked of this broker. */
  describeCluster(): Promise<DescribeClusterResponse> {
    return request<DescribeClusterResponse>(this.bootstrap, ApiKey.DescribeCluster, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 1,
    });
  }
}

/** What one broker's Metadata says of the cluster, sorted so that two brokers' views compare equal. */
export interface ClusterView {
  controllerId: number;
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
  topics: {
    name: string;
    errorCode: number;
    partitions: {
      partition: number;
      errorCode: number;
      leader: number;
      leaderEpoch: number;
      replicas: number[];
      isr: number[];
    }[];
  }[];
}

export function clusterView(md: MetadataResponse): ClusterView {
  return {
    controllerId: md.controllerId,
    brokers: md.brokers
      .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }))
      .sort((a, b) => a.nodeId - b.nodeId),
    topics: md.topics
      .map((t) => ({
        name: t.name ?? '',
        errorCode: t.errorCode,
        partitions: t.partitions
          .map((p) => ({
            partition: p.partitionIndex,
            errorCode: p.errorCode,
            leader: p.leaderId,
            leaderEpoch: p.leaderEpoch,
            replicas: [...p.replicaNodes],
            isr: [...p.isrNodes],
          }))
          .sort((a, b) => a.partition - b.partition),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

export class TestCluster {
  constructor(
    readonly brokers: readonly ClusterBroker[],
    /** The etcd this harness started (null when given `etcdEndpoint`). */
    readonly etcd: EtcdProcess | null,
    /** `metadata.etcd.endpoints` of every broker. */
    readonly etcdEndpoint: string,
    /** `metadata.etcd.prefix` of every broker: one per cluster, so clusters can share an etcd. */
    readonly prefix: string,
    readonly sessionTimeoutMs: number,
    private readonly dir: string,
    private readonly waitLimitMs: number,
  ) {}

  /** The broker with this node id. */
  broker(nodeId: number): ClusterBroker {
    const b = this.brokers.find((x) => x.nodeId === nodeId);
    if (!b) throw new Error(`no broker ${nodeId}`);
    return b;
  }

  /** Brokers running and not paused: those that can answer. */
  get live(): ClusterBroker[] {
    return this.brokers.filter((b) => b.running && !b.paused);
  }

  /** Every broker's bootstrap address, comma-separated, as a client's bootstrap.servers. */
  get bootstrapServers(): string {
    return this.brokers.map((b) => b.bootstrap).join(',');
  }

  /**
   * Waits until every live broker's Metadata lists exactly `nodeIds` (default: the live brokers'
   * ids) and names a controller among them.
   */
  async waitForBrokers(nodeIds?: readonly number[], limitMs = this.waitLimitMs): Promise<void> {
    const want = [...(nodeIds ?? this.live.map((b) => b.nodeId))].sort((a, b) => a - b);
    let last = '';
    await waitUntil(
      `every live broker's Metadata to list brokers ${want.join(',')}`,
      async () => {
        for (const b of this.live) {
          const md = await b.metadata().catch((e: Error) => e);
          if (md instanceof Error) {
            last = `broker ${b.nodeId}: ${md.message}`;
            return false;
          }
          const ids = md.brokers.map((x) => x.nodeId).sort((a, c) => a - c);
          if (ids.join(',') !== want.join(',') || !want.includes(md.controllerId)) {
            last = `broker ${b.nodeId} lists ${ids.join(',')} with controller ${md.controllerId}`;
            return false;
          }
        }
        return true;
      },
      limitMs,
      () => last,
    );
  }

  /**
   * Waits until every live broker reports the same view (brokers, controller, topics, leaders and
   * leader epochs) and returns it: the cluster has converged.
   */
  async converged(limitMs = this.waitLimitMs): Promise<ClusterView> {
    let view: ClusterView | null = null;
    let last = '';
    await waitUntil(
      'every live broker to report the same cluster view',
      async () => {
        const views: string[] = [];
        for (const b of this.live) {
          const md = await b.metadata().catch((e: Error) => e);
          if (md instanceof Error) {
            last = `broker ${b.nodeId}: ${md.message}`;
            return false;
          }
          view = clusterView(md);
          views.push(JSON.stringify(view));
        }
        last = views.join('\n');
        return views.length > 0 && views.every((v) => v === views[0]);
      },
      limitMs,
      () => last,
    );
    return view!;
  }

  /** The active controller's node id, as DescribeCluster of a live broker names it. */
  async controllerId(): Promise<number> {
    for (const b of this.live) {
      const dc = await b.describeCluster().catch(() => null);
      if (dc && dc.errorCode === 0) return dc.controllerId;
    }
    throw new Error('no live broker answered DescribeCluster');
  }

  /** SIGKILLs every broker and etcd (if started here) and removes every directory. */
  async close(): Promise<void> {
    await Promise.all(this.brokers.map((b) => b.kill('SIGKILL')));
    await this.etcd?.stop();
    for (const b of this.brokers) unmount(b.logDir);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts etcd (unless given one) and the brokers, and waits as `options.ready` says. */
export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const count = options.brokers ?? 3;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 2000;
  const heartbeatMs = options.heartbeatIntervalMs ?? Math.max(100, Math.floor(sessionTimeoutMs / 4));
  const waitLimitMs = options.waitLimitMs ?? 20_000;
  const dir = mkdtempSync(join(tmpdir(), 'strom-cluster-'));
  let etcd: EtcdProcess | null = null;
  const brokers: ClusterBroker[] = [];
  try {
    const net = options.network;
    if (!options.etcdEndpoint) {
      etcd = await startEtcd(15_000, net ? { host: net.address('etcd'), wrap: net.exec('etcd') } : undefined);
    }
    const endpoint = options.etcdEndpoint ?? etcd!.endpoint;
    // One prefix per cluster, so that clusters sharing an etcd do not see each other.
    const prefix = `/strom-test-${process.pid}-${Date.now().toString(36)}`;
    for (let nodeId = 1; nodeId <= count; nodeId++) {
      // In a namespace of its own a broker has its address alone, so Kafka's default port is free.
      const node = brokerNodeName(nodeId);
      const host = net ? net.address(node) : '127.0.0.1';
      const [port, httpPort] = net ? [9092, 8080] : [await freePort(), await freePort()];
      const logDir = join(dir, `broker-${nodeId}`);
      mkdirSync(logDir);
      if (options.logDirTmpfsBytes !== undefined) {
        execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${options.logDirTmpfsBytes}`, 'tmpfs', logDir]);
        mounted.add(logDir);
      }
      const config: Record<string, string> = {
        'node.id': String(nodeId),
        listeners: `${options.listener ?? 'PLAINTEXT'}://${host}:${port}`,
        'log.dirs': logDir,
        'strom.http.listeners': `http://${host}:${httpPort}`,
        'metadata.etcd.endpoints': endpoint,
        'metadata.etcd.prefix': prefix,
        'broker.session.timeout.ms': String(sessionTimeoutMs),
        'broker.heartbeat.interval.ms': String(heartbeatMs),
        ...(options.racks?.[nodeId] ? { 'broker.rack': options.racks[nodeId] } : {}),
        ...options.overrides,
      };
      const args = ['--log-format', 'json'];
      for (const [k, v] of Object.entries(config)) args.push('--override', `${k}=${v}`);
      brokers.push(
        new ClusterBroker(
          nodeId,
          `${host}:${port}`,
          `http://${host}:${httpPort}`,
          logDir,
          args,
          net?.exec(node),
        ),
      );
    }
    const cluster = new TestCluster(brokers, etcd, endpoint, prefix, sessionTimeoutMs, dir, waitLimitMs);
    await Promise.all(brokers.map((b) => b.start(waitLimitMs)));
    if ((options.ready ?? 'registered') === 'registered') await cluster.waitForBrokers();
    return cluster;
  } catch (err) {
    await Promise.all(brokers.map((b) => b.kill('SIGKILL')));
    await etcd?.stop();
    for (const b of brokers) unmount(b.logDir);
    for (const d of mounted) if (d.startsWith(dir)) unmount(d);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Fills the filesystem of `dir` (a tmpfs log dir) to the last byte with a file `.chaos-fill`, and
 * returns a function that removes it: writes in that dir fail with ENOSPC until then.
 */
export function fillDisk(dir: string): () => void {
  const path = join(dir, '.chaos-fill');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (let size = chunk.length; size > 0; ) {
      try {
        writeSync(fd, chunk, 0, size);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        // Then smaller pieces, down to the last block.
        size >>= 1;
      }
    }
  } finally {
    closeSync(fd);
  }
  return () => rmSync(path, { force: true });
}

/**
 * Polls `check` every 50 ms until it holds; fails after `limitMs` with `what` and `detail()` (a
 * bound on a wait, not a timing assertion). An error thrown by `check` fails at once.
 */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  limitMs: number,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${limitMs} ms: ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
