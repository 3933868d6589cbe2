import { StromError } from '../../common/strom-error.js';
import { EtcdError, type EtcdKv } from '../../metadata/etcd/etcd-kv.js';
import { clusterIdKey } from '../../metadata/etcd/etcd-metadata-keys.js';

/**
 * A broker whose data belongs to another cluster: its log dirs' meta.properties (or its
 * `cluster.id` setting) name a cluster id other than the one kept in etcd. Starting would mix two
 * clusters' partitions, so the broker refuses, as Kafka's broker does when meta.properties and
 * the cluster disagree ("The broker is trying to join the wrong cluster").
 */
export class InconsistentClusterIdError extends StromError {
  constructor(clusterId: string, local: string, where: string) {
    super(
      'INCONSISTENT_CLUSTER_ID',
      `the cluster in etcd has cluster id ${clusterId} but ${where} has ${local}: this broker is trying to join the wrong cluster (check metadata.etcd.endpoints and metadata.etcd.prefix, or give it an empty log.dirs)`,
    );
  }
}

/**
 * The cluster's id, kept in etcd: the first broker of a cluster creates the key with a
 * compare-and-swap (only if absent) from its own candidate, every later one adopts what the key
 * holds. A broker whose local data or configuration names another id is refused.
 */
export async function resolveClusterId(
  kv: EtcdKv,
  prefix: string,
  local: {
    readonly fromLogDirs: string | null;
    readonly fromConfig: string | null;
    readonly generated: string;
  },
): Promise<string> {
  const key = clusterIdKey(prefix);
  const candidate = local.fromLogDirs ?? local.fromConfig ?? local.generated;
  await kv.txn({
    compare: [{ key, target: 'CREATE', result: 'EQUAL', revision: 0n }],
    success: [{ put: { key, value: Buffer.from(candidate) } }],
  });
  const stored = (await kv.range({ key })).kvs[0]?.value.toString('utf8');
  if (stored === undefined) throw new EtcdError('etcd lost the cluster id just written');
  if (local.fromLogDirs !== null && local.fromLogDirs !== stored)
    throw new InconsistentClusterIdError(stored, local.fromLogDirs, 'meta.properties in log.dirs');
  if (local.fromConfig !== null && local.fromConfig !== stored)
    throw new InconsistentClusterIdError(stored, local.fromConfig, 'the cluster.id setting');
  return stored;
}
