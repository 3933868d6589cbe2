import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { StromError } from '../common/strom-error.js';
import { SERVER_NODE_FLAGS } from './server-node-flags.js';

/** `strom cluster up` could not start the cluster (etcd missing, a port taken, a broker failed). */
export class LocalClusterError extends StromError {
  constructor(message: string) {
    super('LOCAL_CLUSTER_FAILED', message);
  }
}

export interface LocalClusterOptions {
  readonly nodes: number;
  /** etcd's data, each broker's log dir and every process's log file live under it. */
  readonly dataDir: string;
  /** Port of broker 1; broker n listens on port + n - 1. 0 picks free ports. */
  readonly port: number;
  /** HTTP port (/metrics, /readyz) of broker 1, then one per broker; 0 picks free ports. */
  readonly httpPort: number;
  /** etcd's client port (its peer port is the next one); 0 picks free ports. Unused with `etcdEndpoints`. */
  readonly etcdPort: number;
  /** An existing etcd to use instead of starting one. */
  readonly etcdEndpoints: readonly string[] | null;
  readonly etcdPrefix: string | null;
  /** `key=value` broker config keys, for every broker. */
  readonly overrides: readonly string[];
  /** The `strom` script the brokers run (`strom server`). */
  readonly stromBin: string;
  /** How long to wait for etcd and the brokers to be ready. */
  readonly startTimeoutMs: number;
  /** Lines of progress for the terminal. */
  readonly print: (line: string) => void;
}

interface Member {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  stopping: boolean;
  /** Why it could not be spawned (ENOENT: not on PATH). */
  spawnError: Error | null;
}

/** How long a broker or etcd may take to stop on SIGTERM before it is SIGKILLed. */
const STOP_DEADLINE_MS = 10_000;

/**
 * A cluster on one machine for trying Strom out: an etcd (the `etcd` binary from PATH, or an
 * existing one) and N `strom server` child processes, each with its own ports, log dir and log
 * file. Children run in their own process groups so that only this process stops them, in order
 * (brokers first, then etcd, which they need to deregister); an exit hook SIGKILLs any left if
 * this process ends some other way.
 */
export class LocalCluster {
  private readonly members: Member[] = [];
  private stopped: Promise<void> | null = null;

  private constructor(private readonly options: LocalClusterOptions) {
    process.once('exit', () => {
      for (const m of this.members) if (running(m.child)) m.child.kill('SIGKILL');
    });
  }

  /** Starts etcd (unless given endpoints) and the brokers and waits until each is ready. */
  static async start(options: LocalClusterOptions): Promise<{ cluster: LocalCluster; bootstrap: string }> {
    const cluster = new LocalCluster(options);
    try {
      return { cluster, bootstrap: await cluster.startAll() };
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  private async startAll(): Promise<string> {
    const o = this.options;
    const dataDir = resolve(o.dataDir);
    mkdirSync(join(dataDir, 'logs'), { recursive: true });
    const endpoints = o.etcdEndpoints ?? [await this.startEtcd(dataDir)];
    const brokers: { nodeId: number; address: string; health: string; member: Member }[] = [];
    for (let nodeId = 1; nodeId <= o.nodes; nodeId++) {
      const port = o.port === 0 ? await this.freePort() : o.port + nodeId - 1;
      const httpPort = o.httpPort === 0 ? await this.freePort() : o.httpPort + nodeId - 1;
      const logDir = join(dataDir, `broker-${nodeId}`);
      mkdirSync(logDir, { recursive: true });
      const config = [
        `node.id=${nodeId}`,
        `listeners=PLAINTEXT://localhost:${port}`,
        `log.dirs=${logDir}`,
        `strom.http.listeners=http://localhost:${httpPort}`,
        `metadata.etcd.endpoints=${endpoints.join(',')}`,
        ...(o.etcdPrefix !== null ? [`metadata.etcd.prefix=${o.etcdPrefix}`] : []),
        ...o.overrides,
      ];
      const args = [...SERVER_NODE_FLAGS, o.stromBin, 'server', '--log-format', 'json'];
      for (const c of config) args.push('--override', c);
      const member = this.spawn(
        `broker ${nodeId}`,
        join(dataDir, 'logs', `broker-${nodeId}.log`),
        process.execPath,
        args,
      );
      brokers.push({
        nodeId,
        address: `localhost:${port}`,
        health: `http://localhost:${httpPort}/readyz`,
        member,
      });
    }
    for (const b of brokers) {
      await this.waitReady(b.member, b.health);
      o.print(`Broker ${b.nodeId} ready on ${b.address} (log: ${b.member.logFile})`);
    }
    return brokers.map((b) => b.address).join(',');
  }

  /** Ports this cluster has handed out: the OS may give the same free port to two probes in a row. */
  private readonly portsTaken = new Set<number>();

  private freePort(): Promise<number> {
    return freePortNotIn(this.portsTaken);
  }

  private async startEtcd(dataDir: string): Promise<string> {
    const o = this.options;
    const clientPort = o.etcdPort === 0 ? await this.freePort() : o.etcdPort;
    const peerPort = o.etcdPort === 0 ? await this.freePort() : o.etcdPort + 1;
    const endpoint = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const member = this.spawn('etcd', join(dataDir, 'logs', 'etcd.log'), 'etcd', [
      '--name=strom-etcd',
      `--data-dir=${join(dataDir, 'etcd')}`,
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=strom-etcd=${peer}`,
      '--log-level=warn',
    ]);
    await this.waitReady(member, `${endpoint}/health`);
    o.print(`etcd ready on ${endpoint} (data: ${join(dataDir, 'etcd')}, log: ${member.logFile})`);
    return endpoint;
  }

  private spawn(name: string, logFile: string, command: string, args: readonly string[]): Member {
    const fd = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, args, { stdio: ['ignore', fd, fd], detached: true });
    } finally {
      closeSync(fd);
    }
    const member: Member = {
      name,
      logFile,
      child,
      exited: new Promise((r) => {
        child.once('close', () => r());
        child.once('error', () => r());
      }),
      stopping: false,
      spawnError: null,
    };
    child.once('error', (err) => {
      member.spawnError = err;
    });
    this.members.push(member);
    child.once('exit', (code, signal) => {
      if (!member.stopping && this.stopped === null)
        this.options.print(`${name} exited (${signal ?? `code ${code}`}); see ${logFile}`);
    });
    return member;
  }

  /** Polls `url` until it answers 200; fails when the member exits or the wait runs out. */
  private async waitReady(member: Member, url: string): Promise<void> {
    const deadline = Date.now() + this.options.startTimeoutMs;
    // A spawn that failed (ENOENT) reports it on the next tick.
    await new Promise((r) => setImmediate(r));
    for (;;) {
      if (member.spawnError) {
        const missing = (member.spawnError as NodeJS.ErrnoException).code === 'ENOENT';
        throw new LocalClusterError(
          missing && member.name === 'etcd'
            ? 'etcd is not on PATH: install it (Debian: apt install etcd-server) or give --etcd-endpoints of a running etcd'
            : `${member.name} could not be started: ${member.spawnError.message}`,
        );
      }
      if (!running(member.child)) {
        throw new LocalClusterError(`${member.name} did not start:\n${tail(member.logFile)}`);
      }
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline)
        throw new LocalClusterError(
          `${member.name} was not ready within ${this.options.startTimeoutMs} ms:\n${tail(member.logFile)}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGTERM to the brokers, then to etcd; SIGKILL to any that has not exited within 10 s. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      const etcd = this.members.filter((m) => m.name === 'etcd');
      await Promise.all(this.members.filter((m) => m.name !== 'etcd').map(stopMember));
      await Promise.all(etcd.map(stopMember));
    })();
    return this.stopped;
  }
}

async function stopMember(m: Member): Promise<void> {
  m.stopping = true;
  if (!running(m.child)) return;
  m.child.kill('SIGTERM');
  const timer = setTimeout(() => m.child.kill('SIGKILL'), STOP_DEADLINE_MS);
  await m.exited;
  clearTimeout(timer);
}

function running(c: ChildProcess): boolean {
  return c.pid !== undefined && c.exitCode === null && c.signalCode === null;
}

/** The last lines of a log file, for a failure message. */
function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * A free port not in `taken`, which it is added to. Probing port 0 twice may return the same port
 * (it was free both times), and two listeners of one broker given the same port fail at start.
 */
export async function freePortNotIn(
  taken: Set<number>,
  probe: () => Promise<number> = freePort,
): Promise<number> {
  for (;;) {
    const port = await probe();
    if (taken.has(port)) continue;
    taken.add(port);
    return port;
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}
