import * as fs from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from './checkpoint-file.js';
import { StorageError } from './storage-error.js';

export const META_PROPERTIES = 'meta.properties';

export interface MetaProperties {
  clusterId: string;
  nodeId: number;
}

/** Java properties as Kafka writes meta.properties (KRaft, version=1): `key=value` lines, `#` comments. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#') || line.startsWith('!')) continue;
    const i = line.search(/[=:]/);
    if (i < 0) out.set(line, '');
    else out.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return out;
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
