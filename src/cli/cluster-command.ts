import type { Command } from 'commander';
import { noopLogger } from '../common/logger.js';
import {
  type ClusterStatus,
  type EtcdEndpointStatus,
  etcdEndpointStatus,
  readClusterStatus,
} from '../metadata/etcd/cluster-status.js';
import { EtcdHttpClient } from '../metadata/etcd/etcd-http-client.js';
import { formatColumns } from './columns.js';
import { collect, commandAction, writeOut } from './command-action.js';
import { ExitCode } from './exit-codes.js';
import { parseIntOption } from './key-values.js';
import { LocalCluster } from './local-cluster.js';
import { UsageError } from './usage-error.js';

const DEFAULT_ETCD = 'http://localhost:2379';
const DEFAULT_PREFIX = '/strom';
/** Most brokers `cluster up` starts: a try-out on one machine, not a deployment. */
const MAX_NODES = 16;

interface UpOptions {
  nodes: string;
  dataDir: string;
  port: string;
  httpPort: string;
  etcdPort: string;
  etcdEndpoints?: string;
  etcdPrefix?: string;
  override: string[];
  startTimeoutMs: string;
  verbose?: boolean;
}

interface StatusOptions {
  etcdEndpoints: string;
  etcdPrefix: string;
  json?: boolean;
  verbose?: boolean;
}

/**
 * `strom cluster`: `up` runs a cluster on this machine for trying it out (etcd and N brokers as
 * child processes); `status` reads a cluster's state from etcd (see docs/cluster.md).
 */
export function registerClusterCommand(program: Command, done: (code: number) => void): void {
  const cluster = program
    .command('cluster')
    .description('Run a Strom cluster on this machine, or show a cluster’s brokers, controller and etcd')
    .addHelpText(
      'after',
      `
Examples:
  strom cluster up --nodes 3
  strom cluster up --nodes 3 --etcd-endpoints http://etcd-1:2379,http://etcd-2:2379
  strom cluster status
  strom cluster status --etcd-endpoints http://etcd-1:2379 --json`,
    );
  cluster
    .command('up')
    .description('start etcd and N brokers as child processes; Ctrl-C stops them all')
    .option('--nodes <n>', 'number of brokers, node ids 1..n', '3')
    .option(
      '--data-dir <dir>',
      "etcd's data, the brokers' log dirs and every process's log",
      'strom-cluster-data',
    )
    .option('--port <port>', 'port of broker 1; broker n listens on port+n-1 (0: free ports)', '9092')
    .option(
      '--http-port <port>',
      'HTTP port (/metrics, /readyz) of broker 1, then one per broker (0: free ports)',
      '9644',
    )
    .option('--etcd-port <port>', "etcd's client port; its peer port is the next one (0: free ports)", '2379')
    .option(
      '--etcd-endpoints <urls>',
      'use this running etcd (comma-separated http:// URLs) instead of starting one',
    )
    .option('--etcd-prefix <prefix>', 'metadata.etcd.prefix of the brokers (default /strom)')
    .option('--override <key=value>', 'a broker config key for every broker; may be repeated', collect, [])
    .option('--start-timeout-ms <ms>', 'how long to wait for etcd and each broker to be ready', '60000')
    .option('--verbose', 'print stack traces of errors')
    .action(commandAction(done, runUp));
  cluster
    .command('status')
    .description('show the brokers (id, address, rack, fenced), the active controller and etcd’s health')
    .option('--etcd-endpoints <urls>', "the cluster's etcd, comma-separated http:// URLs", DEFAULT_ETCD)
    .option('--etcd-prefix <prefix>', "the brokers' metadata.etcd.prefix", DEFAULT_PREFIX)
    .option('--json', 'print as JSON')
    .option('--verbose', 'print stack traces of errors')
    .action(commandAction(done, runStatus));
}

function endpointsOf(text: string): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const e of list) {
    if (!/^https?:\/\/[^/]+\/?$/.test(e))
      throw new UsageError(`--etcd-endpoints: '${e}' is not http://host:port`);
  }
  if (list.length === 0) throw new UsageError('--etcd-endpoints is empty');
  return list;
}

async function runUp(opts: UpOptions): Promise<number> {
  const nodes = parseIntOption(opts.nodes, '--nodes', 1);
  if (nodes > MAX_NODES) throw new UsageError(`--nodes must be at most ${MAX_NODES}, got ${nodes}`);
  const port = (flag: string, v: string): number => {
    const n = parseIntOption(v, flag, 0);
    if (n > 65535) throw new UsageError(`${flag} must be a port number, got ${n}`);
    return n;
  };
  for (const o of opts.override) {
    if (o.indexOf('=') <= 0) throw new UsageError(`--override must be key=value, got '${o}'`);
  }
  const print = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  let stopSignal: string | null = null;
  let onSignal: (signal: string) => void = (s) => {
    stopSignal = s;
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => {
    const h = (): void => onSignal(s);
    process.on(s, h);
    return [s, h] as const;
  });
  try {
    const { cluster, bootstrap } = await LocalCluster.start({
      nodes,
      dataDir: opts.dataDir,
      port: port('--port', opts.port),
      httpPort: port('--http-port', opts.httpPort),
      etcdPort: port('--etcd-port', opts.etcdPort),
      etcdEndpoints: opts.etcdEndpoints ? endpointsOf(opts.etcdEndpoints) : null,
      etcdPrefix: opts.etcdPrefix ?? null,
      overrides: opts.override,
      stromBin: process.argv[1]!,
      startTimeoutMs: parseIntOption(opts.startTimeoutMs, '--start-timeout-ms', 1),
      print,
    });
    print(`Bootstrap servers: ${bootstrap}`);
    print('Press Ctrl-C to stop the cluster.');
    const signal = await new Promise<string>((resolve) => {
      onSignal = resolve;
      if (stopSignal !== null) resolve(stopSignal);
    });
    print(`Stopping the cluster (${signal})...`);
    await cluster.stop();
    print('Stopped.');
    return ExitCode.OK;
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
}

async function runStatus(opts: StatusOptions): Promise<number> {
  const endpoints = endpointsOf(opts.etcdEndpoints);
  const etcd = await Promise.all(endpoints.map((e) => etcdEndpointStatus(e)));
  let status: ClusterStatus | null = null;
  let error: string | null = null;
  if (etcd.some((e) => e.healthy)) {
    const kv = new EtcdHttpClient(endpoints, noopLogger);
    try {
      status = await readClusterStatus(kv, opts.etcdPrefix, noopLogger);
    } catch (err) {
      error = (err as Error).message;
    } finally {
      await kv.close();
    }
  } else {
    error = `no healthy etcd member at ${endpoints.join(',')}`;
  }
  await writeOut(
    opts.json
      ? `${JSON.stringify({ ...status, etcd, ...(error ? { error } : {}) })}\n`
      : statusText(status, etcd),
  );
  if (error !== null) throw new Error(error);
  return ExitCode.OK;
}

function statusText(status: ClusterStatus | null, etcd: readonly EtcdEndpointStatus[]): string {
  const parts: string[] = [];
  if (status) {
    parts.push(
      `Cluster id: ${status.clusterId ?? 'none'}\n`,
      `Active controller: ${status.controllerId >= 0 ? status.controllerId : 'none'}\n`,
      `Topics: ${status.topics}  Partitions: ${status.partitions}  Offline partitions: ${status.offlinePartitions}  Metadata offset: ${status.metadataOffset}\n\n`,
      status.brokers.length === 0
        ? 'No broker has registered.\n'
        : formatColumns(
            ['BROKER', 'ADDRESS', 'RACK', 'STATUS', 'SESSION', 'EPOCH'],
            status.brokers.map((b) => [
              String(b.nodeId),
              b.endpoints.join(',') || '-',
              b.rack ?? '-',
              b.fenced ? 'fenced' : 'active',
              b.sessionAlive ? 'alive' : 'expired',
              b.brokerEpoch,
            ]),
          ),
      '\n',
    );
  }
  parts.push(
    formatColumns(
      ['ETCD-ENDPOINT', 'HEALTH', 'VERSION', 'DB-SIZE', 'LEADER', 'ERROR'],
      etcd.map((e) => [
        e.endpoint,
        e.healthy ? 'healthy' : 'unhealthy',
        e.version ?? '-',
        e.dbSizeBytes === null ? '-' : `${e.dbSizeBytes}`,
        e.leader ? 'yes' : 'no',
        e.error ?? '',
      ]),
    ),
  );
  return parts.join('');
}
