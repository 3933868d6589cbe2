import type { Logger } from '../../common/logger.js';
import { applyMetadataRecord } from '../apply-metadata-record.js';
import { MetadataImage } from '../metadata-image.js';
import { brokerKeys, liveBrokerOf } from './broker-session.js';
import { controllerIdOf, controllerKey } from './controller-election.js';
import type { EtcdKv } from './etcd-kv.js';
import { clusterIdKey } from './etcd-metadata-keys.js';
import { EtcdMetadataLog } from './etcd-metadata-log.js';

export interface BrokerStatus {
  readonly nodeId: number;
  /** Its listeners as registered: `NAME://host:port`. */
  readonly endpoints: readonly string[];
  readonly rack: string | null;
  /**
   * Fenced by the controller (Kafka's FenceBrokerRecord): it leads nothing until it registers
   * again. A broker with a session that the controller has not registered yet counts as fenced.
   */
  readonly fenced: boolean;
  /** Its etcd session (lease) is alive now: the process runs and reaches etcd. */
  readonly sessionAlive: boolean;
  /** The broker epoch the metadata holds, -1 when never registered there. */
  readonly brokerEpoch: string;
}

export interface ClusterStatus {
  /** The id the first broker stored in etcd; null while no broker has started in this cluster. */
  readonly clusterId: string | null;
  /** The node id holding the controller key; -1 when no broker does. */
  readonly controllerId: number;
  readonly brokers: readonly BrokerStatus[];
  readonly topics: number;
  readonly partitions: number;
  /** Partitions with no leader (their broker is fenced: replication factor 1 has no other replica). */
  readonly offlinePartitions: number;
  /** Offset of the last metadata record, -1 for an empty log. */
  readonly metadataOffset: string;
}

/**
 * What etcd holds of a cluster under `prefix`, read as a broker reads it: the metadata log
 * replayed into an image (registrations, fencing, topics), the live broker sessions and the
 * controller key. It needs no running broker, so it also tells an operator about a cluster whose
 * brokers are all down.
 */
export async function readClusterStatus(kv: EtcdKv, prefix: string, logger: Logger): Promise<ClusterStatus> {
  const image = new MetadataImage();
  // The log closes the client it is given: it gets a view of `kv` whose close does nothing.
  const log = new EtcdMetadataLog({ kv: unclosable(kv), prefix, logger });
  await log.replay((record, offset) => {
    applyMetadataRecord(image, record);
    image.offset = offset;
  });
  const keys = brokerKeys(prefix);
  const sessions = new Map(
    (await kv.range({ key: keys.start, rangeEnd: keys.end })).kvs.map((x) => {
      const b = liveBrokerOf(x);
      return [b.brokerId, b] as const;
    }),
  );
  const controller = (await kv.range({ key: controllerKey(prefix) })).kvs[0];
  const clusterId = (await kv.range({ key: clusterIdKey(prefix) })).kvs[0]?.value.toString('utf8') ?? null;
  const ids = [...new Set([...image.brokers.keys(), ...sessions.keys()])].sort((a, b) => a - b);
  const brokers = ids.map((nodeId): BrokerStatus => {
    const registered = image.brokers.get(nodeId);
    const session = sessions.get(nodeId);
    const endPoints = registered?.endPoints ?? session?.endPoints ?? [];
    return {
      nodeId,
      endpoints: endPoints.map(
        (e) => `${e.name}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`,
      ),
      rack: registered?.rack ?? session?.rack ?? null,
      fenced: registered ? registered.fenced : true,
      sessionAlive: session !== undefined,
      brokerEpoch: String(registered?.brokerEpoch ?? -1n),
    };
  });
  let partitions = 0;
  let offline = 0;
  for (const t of image.topicsByName.values()) {
    for (const p of t.partitions.values()) {
      partitions++;
      if (p.leader < 0) offline++;
    }
  }
  return {
    clusterId,
    controllerId: controller ? controllerIdOf(controller.value) : -1,
    brokers,
    topics: image.topicsByName.size,
    partitions,
    offlinePartitions: offline,
    metadataOffset: String(image.offset),
  };
}

function unclosable(kv: EtcdKv): EtcdKv {
  return {
    range: (r) => kv.range(r),
    txn: (t) => kv.txn(t),
    watch: (r, onEvents, onError) => kv.watch(r, onEvents, onError),
    leaseGrant: (ttl) => kv.leaseGrant(ttl),
    leaseKeepAlive: (id) => kv.leaseKeepAlive(id),
    leaseRevoke: (id) => kv.leaseRevoke(id),
    close: async () => undefined,
  };
}

export interface EtcdEndpointStatus {
  readonly endpoint: string;
  /** etcd's own /health: the member has a leader and serves linearizable reads. */
  readonly healthy: boolean;
  readonly version: string | null;
  readonly dbSizeBytes: number | null;
  /** This member is the etcd cluster's Raft leader. */
  readonly leader: boolean;
  /** Why it is not healthy, when it is not. */
  readonly error: string | null;
}

/**
 * One etcd member's health (`GET /health`) and status (`/v3/maintenance/status` through the
 * HTTP/JSON gateway: version, database size, whether it leads), as `etcdctl endpoint health` and
 * `etcdctl endpoint status` report them.
 */
export async function etcdEndpointStatus(endpoint: string, timeoutMs = 2000): Promise<EtcdEndpointStatus> {
  const base = endpoint.replace(/\/+$/, '');
  let healthy = false;
  let error: string | null = null;
  try {
    const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { health?: string; reason?: string };
    healthy = res.ok && body.health === 'true';
    if (!healthy) error = body.reason || `health ${body.health ?? `HTTP ${res.status}`}`;
  } catch (err) {
    error = errorText(err);
  }
  // Asked even of an unhealthy member: a member without a leader still tells its version.
  const status = await fetch(`${base}/v3/maintenance/status`, {
    method: 'POST',
    body: '{}',
    signal: AbortSignal.timeout(timeoutMs),
  })
    .then(async (res) => (res.ok ? ((await res.json()) as GatewayStatus) : null))
    .catch(() => null);
  const version = status?.version ?? null;
  const dbSizeBytes = status?.dbSize !== undefined ? Number(status.dbSize) : null;
  const leader = status?.leader !== undefined && status.leader === status.header?.member_id;
  return { endpoint: base, healthy, version, dbSizeBytes, leader, error };
}

interface GatewayStatus {
  header?: { member_id?: string };
  version?: string;
  dbSize?: string;
  leader?: string;
}

function errorText(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  return e.cause?.code ?? e.cause?.message ?? e.message;
}
