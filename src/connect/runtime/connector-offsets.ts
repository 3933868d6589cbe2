import type { Admin } from '../../client/index.js';
import type { SourceMap, TopicPartition } from '../api/connect-record.js';
import type { SinkConnector, SourceConnector } from '../api/connector.js';
import { ConnectError } from '../connect-error.js';
import type { ConnectorOffset, ConnectorOffsets, ConnectorType, OffsetsMessage } from './herder-types.js';
import { offsetKey, offsetValue, parseOffsetKey, parseOffsetValue } from './offset-store.js';
import type { Worker } from './worker.js';

/** Kafka's refusal to change the offsets of a connector that is not STOPPED (KIP-875). */
export function notStopped(name: string): ConnectError {
  return new ConnectError(
    'BAD_REQUEST',
    `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
  );
}

/** GET /connectors/{name}/offsets (KIP-875): source offsets from the store, or the sink's group offsets. */
export async function readConnectorOffsets(
  worker: Worker,
  adminOf: () => Admin,
  name: string,
  type: ConnectorType,
): Promise<ConnectorOffsets> {
  if (type === 'sink') {
    const admin = adminOf();
    try {
      const offsets = await admin.listGroupOffsets(`connect-${name}`);
      return {
        offsets: offsets
          .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
          .map((o) => ({
            partition: { kafka_topic: o.topic, kafka_partition: o.partition },
            offset: { kafka_offset: Number(o.offset) },
          })),
      };
    } finally {
      await admin.close();
    }
  }
  const all = await worker.options.offsetStore.all();
  const offsets: ConnectorOffset[] = [];
  for (const [key, value] of all) {
    const parsed = parseOffsetKey(key);
    if (parsed?.connector === name)
      offsets.push({ partition: { ...parsed.partition }, offset: { ...parseOffsetValue(value) } });
  }
  return { offsets };
}

/** PATCH /connectors/{name}/offsets, or DELETE (reset) when `offsets` is null (KIP-875); the caller checks STOPPED. */
export async function alterConnectorOffsets(
  worker: Worker,
  adminOf: () => Admin,
  name: string,
  config: Readonly<Record<string, string>>,
  type: ConnectorType,
  offsets: readonly ConnectorOffset[] | null,
): Promise<OffsetsMessage> {
  const verb = offsets === null ? 'reset' : 'altered';
  const confirmed =
    type === 'sink'
      ? await alterSinkOffsets(worker, adminOf, name, config, offsets)
      : await alterSourceOffsets(worker, name, config, offsets);
  return {
    message: confirmed
      ? `The offsets for this connector have been ${verb} successfully`
      : `The Connect framework-managed offsets for this connector have been ${verb} successfully. However, if this connector manages offsets externally, they will need to be manually ${verb} in the system that the connector uses.`,
  };
}

async function alterSourceOffsets(
  worker: Worker,
  name: string,
  config: Readonly<Record<string, string>>,
  offsets: readonly ConnectorOffset[] | null,
): Promise<boolean> {
  const store = worker.options.offsetStore;
  const changes = new Map<SourceMap, SourceMap | null>();
  if (offsets === null) {
    for (const key of (await store.all()).keys()) {
      const parsed = parseOffsetKey(key);
      if (parsed?.connector === name) changes.set(parsed.partition, null);
    }
  } else {
    for (const o of offsets) {
      if (!isPlainMap(o.partition))
        throw new ConnectError('BAD_REQUEST', 'Source partitions may not be null');
      if (o.offset !== null && !isPlainMap(o.offset))
        throw new ConnectError('BAD_REQUEST', 'Source offsets must be JSON objects or null');
      changes.set(o.partition as SourceMap, o.offset as SourceMap | null);
    }
  }
  const connector = worker.newConnector(config) as SourceConnector;
  const confirmed = await connectorCall(() => connector.alterOffsets(config, changes));
  const writes = new Map<string, string | null>();
  for (const [partition, offset] of changes) writes.set(offsetKey(name, partition), offsetValue(offset));
  await store.set(writes);
  return confirmed;
}

async function alterSinkOffsets(
  worker: Worker,
  adminOf: () => Admin,
  name: string,
  config: Readonly<Record<string, string>>,
  offsets: readonly ConnectorOffset[] | null,
): Promise<boolean> {
  const group = `connect-${name}`;
  const changes = new Map<TopicPartition, bigint | null>();
  for (const o of offsets ?? []) {
    const topic = o.partition.kafka_topic;
    const partition = o.partition.kafka_partition;
    if (typeof topic !== 'string' || typeof partition !== 'number' || !Number.isInteger(partition))
      throw new ConnectError(
        'BAD_REQUEST',
        'Each partition of a sink connector must have a string kafka_topic and an integer kafka_partition',
      );
    const offset = o.offset === null ? null : o.offset.kafka_offset;
    if (offset !== null && (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0))
      throw new ConnectError(
        'BAD_REQUEST',
        'Each offset of a sink connector must have a non-negative integer kafka_offset',
      );
    changes.set({ topic, partition }, offset === null ? null : BigInt(offset));
  }
  const connector = worker.newConnector(config) as SinkConnector;
  const confirmed = await connectorCall(() => connector.alterOffsets(config, changes));
  const admin = adminOf();
  try {
    if (offsets === null) {
      const existing = await admin.listGroupOffsets(group);
      if (existing.length > 0) await admin.deleteGroups([group]);
    } else {
      const set = [...changes].filter(([, o]) => o !== null).map(([tp, o]) => ({ ...tp, offset: o! }));
      if (set.length > 0) await admin.alterGroupOffsets(group, set);
      if ([...changes.values()].some((o) => o === null)) {
        // A null offset resets one partition: the group keeps the others, so the rest are written back.
        const keep = (await admin.listGroupOffsets(group)).filter(
          (g) =>
            ![...changes].some(
              ([tp, o]) => o === null && tp.topic === g.topic && tp.partition === g.partition,
            ),
        );
        await admin.deleteGroups([group]);
        if (keep.length > 0) await admin.alterGroupOffsets(group, keep);
      }
    }
  } finally {
    await admin.close();
  }
  return confirmed;
}

async function connectorCall(call: () => boolean | Promise<boolean>): Promise<boolean> {
  try {
    return await call();
  } catch (err) {
    throw new ConnectError('BAD_REQUEST', `Failed to alter offsets: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function isPlainMap(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
