import type { Admin, GroupDescription } from '../client/index.js';
import { ClientError } from '../client/index.js';
import { formatColumns } from './columns.js';

/** One row of `--describe --offsets`: a partition with its commit, end and owner. */
export interface GroupOffsetRow {
  group: string;
  topic: string;
  partition: number;
  currentOffset: bigint | null;
  logEndOffset: bigint | null;
  lag: bigint | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

export async function describeGroup(admin: Admin, groupId: string): Promise<GroupDescription> {
  const [group] = await admin.describeGroups([groupId]);
  // DescribeGroups answers an unknown group with the Dead state rather than an error.
  if (!group || group.state === 'Dead') {
    throw new ClientError('INVALID_ARGUMENT', `Consumer group '${groupId}' does not exist.`);
  }
  return group;
}

/** Committed offsets, log end offsets and lag of every partition the group commits to or owns. */
export async function groupOffsetRows(admin: Admin, group: GroupDescription): Promise<GroupOffsetRow[]> {
  const key = (t: string, p: number): string => `${t}\u0000${p}`;
  const owners = new Map<string, GroupDescription['members'][number]>();
  for (const m of group.members) {
    for (const [topic, ps] of m.assignment ?? new Map<string, number[]>()) {
      for (const p of ps) owners.set(key(topic, p), m);
    }
  }
  const committed = await admin.listGroupOffsets(group.groupId);
  const partitions = new Map<string, { topic: string; partition: number }>();
  for (const c of committed)
    partitions.set(key(c.topic, c.partition), { topic: c.topic, partition: c.partition });
  for (const [k, _] of owners) {
    const [topic, p] = k.split('\u0000') as [string, string];
    partitions.set(k, { topic, partition: Number(p) });
  }
  const list = [...partitions.values()].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition,
  );
  const ends =
    list.length === 0
      ? []
      : await admin.listOffsets(list.map((p) => ({ ...p, timestamp: 'latest' as const })));
  const end = new Map(ends.map((e) => [key(e.topic, e.partition), e.offset]));
  const current = new Map(committed.map((c) => [key(c.topic, c.partition), c.offset]));
  return list.map(({ topic, partition }) => {
    const k = key(topic, partition);
    const currentOffset = current.get(k) ?? null;
    const logEndOffset = end.get(k) ?? null;
    const owner = owners.get(k);
    return {
      group: group.groupId,
      topic,
      partition,
      currentOffset,
      logEndOffset,
      lag: currentOffset !== null && logEndOffset !== null ? logEndOffset - currentOffset : null,
      consumerId: owner?.memberId ?? null,
      host: owner?.clientHost ?? null,
      clientId: owner?.clientId ?? null,
    };
  });
}

const dash = (v: { toString(): string } | null): string => (v === null ? '-' : v.toString());

export function formatOffsetRows(rows: readonly GroupOffsetRow[]): string {
  return formatColumns(
    [
      'GROUP',
      'TOPIC',
      'PARTITION',
      'CURRENT-OFFSET',
      'LOG-END-OFFSET',
      'LAG',
      'CONSUMER-ID',
      'HOST',
      'CLIENT-ID',
    ],
    rows.map((r) => [
      r.group,
      r.topic,
      String(r.partition),
      dash(r.currentOffset),
      dash(r.logEndOffset),
      dash(r.lag),
      dash(r.consumerId),
      dash(r.host),
      dash(r.clientId),
    ]),
  );
}

export function formatMembers(group: GroupDescription, verbose: boolean): string {
  const assigned = (m: GroupDescription['members'][number]): [number, string] => {
    const entries = [...(m.assignment ?? new Map<string, number[]>())];
    const count = entries.reduce((n, [, ps]) => n + ps.length, 0);
    return [count, entries.map(([t, ps]) => `${t}(${ps.join(',')})`).join(', ') || '-'];
  };
  const headers = [
    'GROUP',
    'CONSUMER-ID',
    'HOST',
    'CLIENT-ID',
    '#PARTITIONS',
    ...(verbose ? ['ASSIGNMENT'] : []),
  ];
  return formatColumns(
    headers,
    group.members.map((m) => {
      const [count, text] = assigned(m);
      return [group.groupId, m.memberId, m.clientHost, m.clientId, String(count), ...(verbose ? [text] : [])];
    }),
  );
}

export function formatState(group: GroupDescription): string {
  const c = group.coordinator;
  return formatColumns(
    ['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'],
    [
      [
        group.groupId,
        `${c.host}:${c.port} (${c.nodeId})`,
        group.protocol,
        group.state,
        String(group.members.length),
      ],
    ],
  );
}

/** A group description as plain JSON (Maps and bigints do not serialise on their own). */
export function groupJson(group: GroupDescription): Record<string, unknown> {
  return {
    group: group.groupId,
    state: group.state,
    protocolType: group.protocolType,
    assignmentStrategy: group.protocol,
    coordinator: group.coordinator,
    members: group.members.map((m) => ({
      consumerId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      host: m.clientHost,
      clientId: m.clientId,
      assignment: Object.fromEntries(m.assignment ?? new Map<string, number[]>()),
    })),
  };
}

export function offsetRowJson(r: GroupOffsetRow): Record<string, unknown> {
  const n = (v: bigint | null): number | null => (v === null ? null : Number(v));
  return { ...r, currentOffset: n(r.currentOffset), logEndOffset: n(r.logEndOffset), lag: n(r.lag) };
}
