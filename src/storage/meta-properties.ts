import * as fs from 'node:fs';
import { join } from 'node:path';
import { parseProperties } from '../common/properties.js';
import { writeFileAtomically } from './checkpoint-file.js';
import { StorageError } from './storage-error.js';

export const META_PROPERTIES = 'meta.properties';

export interface MetaProperties {
  clusterId: string;
  nodeId: number;
}

/**
 * Checks the log dir belongs to this cluster and node, writing meta.properties on first use.
 * A mismatch refuses to start: a disk moved from another broker must not be served as ours.
 */
export function ensureMetaProperties(dir: string, expected: MetaProperties): void {
  const path = join(dir, META_PROPERTIES);
  if (!fs.existsSync(path)) {
    writeFileAtomically(
      path,
      `#\n#Written by Strom\ncluster.id=${expected.clusterId}\nnode.id=${expected.nodeId}\nversion=1\n`,
    );
    return;
  }
  const props = parseProperties(fs.readFileSync(path, 'utf8'));
  const clusterId = props.get('cluster.id');
  const nodeId = props.get('node.id') ?? props.get('broker.id');
  if (clusterId !== expected.clusterId) {
    throw new StorageError(
      'INCONSISTENT_META_PROPERTIES',
      `${path} has cluster.id ${clusterId ?? '(none)'}, but this broker's cluster.id is ${expected.clusterId}`,
    );
  }
  if (nodeId === undefined || Number(nodeId) !== expected.nodeId) {
    throw new StorageError(
      'INCONSISTENT_META_PROPERTIES',
      `${path} has node.id ${nodeId ?? '(none)'}, but this broker's node.id is ${expected.nodeId}`,
    );
  }
}

/** The cluster id recorded in a log dir, or null for a dir never used by a broker. */
export function readClusterId(dir: string): string | null {
  const path = join(dir, META_PROPERTIES);
  if (!fs.existsSync(path)) return null;
  return parseProperties(fs.readFileSync(path, 'utf8')).get('cluster.id') ?? null;
}
