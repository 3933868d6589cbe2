import { type ConnectorsAndTasks, emptyConnectorsAndTasks } from './connect-protocol.js';

export interface AssignorMember {
  readonly memberId: string;
  /** What the member runs now, as its JoinGroup metadata says. */
  readonly owned: ConnectorsAndTasks;
}

/** What the leader remembers between rounds (Kafka's IncrementalCooperativeAssignor fields). */
export interface AssignorState {
  /** Every member's full assignment after the last round this leader computed; null before its first. */
  previous: Map<string, ConnectorsAndTasks> | null;
  /** When work of departed members is given to others (scheduled.rebalance.max.delay.ms); null if none is pending. */
  lostDeadlineMs: number | null;
}

export interface MemberAssignment {
  /** Newly assigned to this member (the protocol sends increments, KIP-415). */
  readonly assigned: ConnectorsAndTasks;
  readonly revoked: ConnectorsAndTasks;
}

export interface AssignmentResult {
  readonly assignments: Map<string, MemberAssignment>;
  /** >0 while lost work waits for its worker to come back: members rejoin after that long. */
  readonly delayMs: number;
}

type Kind = 'connector' | 'task';
const keyOf = (kind: Kind, connector: string, task = -1): string =>
  kind === 'connector' ? `c\u0000${connector}` : `t\u0000${connector}\u0000${task}`;

function keysOf(x: ConnectorsAndTasks): string[] {
  return [
    ...x.connectors.map((c) => keyOf('connector', c)),
    ...x.tasks.map((t) => keyOf('task', t.connector, t.task)),
  ];
}

function fromKeys(keys: Iterable<string>): ConnectorsAndTasks {
  const out = emptyConnectorsAndTasks();
  for (const k of keys) {
    const parts = k.split('\u0000');
    if (parts[0] === 'c') out.connectors.push(parts[1]!);
    else out.tasks.push({ connector: parts[1]!, task: Number(parts[2]) });
  }
  out.connectors.sort();
  out.tasks.sort((a, b) => a.connector.localeCompare(b.connector) || a.task - b.task);
  return out;
}

/**
 * Incremental cooperative assignment of connectors and tasks (KIP-415, after Kafka's
 * IncrementalCooperativeAssignor): members keep what they run; what no one runs is given to the
 * least loaded; a member that runs more than its share gives the excess back (revoked now,
 * assigned in the next round, once it has stopped); work of a member that left is held for
 * `maxDelayMs` in case it returns, then given to the others. Connectors and tasks are balanced
 * separately. Pure: the caller passes the clock and keeps the state.
 */
export function assignIncrementally(
  members: readonly AssignorMember[],
  configured: ConnectorsAndTasks,
  state: AssignorState,
  nowMs: number,
  maxDelayMs: number,
): AssignmentResult {
  const wanted = new Set(keysOf(configured));
  const ids = members.map((m) => m.memberId).sort();
  const current = new Map<string, Set<string>>(ids.map((id) => [id, new Set<string>()]));
  const revoked = new Map<string, Set<string>>(ids.map((id) => [id, new Set<string>()]));
  const owner = new Map<string, string>();
  for (const m of [...members].sort((a, b) => a.memberId.localeCompare(b.memberId))) {
    for (const k of keysOf(m.owned)) {
      // Deleted work, and work two members claim (all but the first), is revoked.
      if (!wanted.has(k) || owner.has(k)) revoked.get(m.memberId)!.add(k);
      else {
        owner.set(k, m.memberId);
        current.get(m.memberId)!.add(k);
      }
    }
  }
  // Work the previous round gave to members that are gone, and that no one runs now.
  const lost = new Set<string>();
  if (state.previous) {
    for (const [memberId, had] of state.previous) {
      if (current.has(memberId)) continue;
      for (const k of keysOf(had)) if (wanted.has(k) && !owner.has(k)) lost.add(k);
    }
  }
  let delayMs = 0;
  if (lost.size > 0 && maxDelayMs > 0) {
    state.lostDeadlineMs ??= nowMs + maxDelayMs;
    if (nowMs < state.lostDeadlineMs) delayMs = state.lostDeadlineMs - nowMs;
  }
  if (delayMs === 0) state.lostDeadlineMs = null;
  const held = delayMs > 0 ? lost : new Set<string>();
  const unassigned = [...wanted].filter((k) => !owner.has(k) && !held.has(k)).sort();
  const assigned = new Map<string, Set<string>>(ids.map((id) => [id, new Set<string>()]));
  const anyRevoked = [...revoked.values()].some((s) => s.size > 0);
  for (const kind of ['c', 't']) {
    const load = (id: string): number => [...current.get(id)!].filter((k) => k[0] === kind).length;
    for (const k of unassigned.filter((u) => u[0] === kind)) {
      if (ids.length === 0) break;
      const target = ids.reduce((best, id) => (load(id) < load(best) ? id : best), ids[0]!);
      current.get(target)!.add(k);
      assigned.get(target)!.add(k);
    }
    // Revoke from the most loaded member while it runs two more than the least loaded, unless
    // this round already revokes something: balancing waits for a round without other movement.
    if (!anyRevoked && delayMs === 0 && ids.length > 1) {
      const virtual = new Map(ids.map((id) => [id, load(id)]));
      const by = (pick: (a: number, b: number) => boolean): string =>
        ids.reduce((best, id) => (pick(virtual.get(id)!, virtual.get(best)!) ? id : best), ids[0]!);
      for (;;) {
        const max = by((a, b) => a > b);
        const min = by((a, b) => a < b);
        if (virtual.get(max)! - virtual.get(min)! <= 1) break;
        const movable = [...current.get(max)!]
          .filter((k) => k[0] === kind && !assigned.get(max)!.has(k))
          .sort();
        const k = movable[movable.length - 1];
        if (k === undefined) break;
        current.get(max)!.delete(k);
        revoked.get(max)!.add(k);
        virtual.set(max, virtual.get(max)! - 1);
        virtual.set(min, virtual.get(min)! + 1);
      }
    }
  }
  state.previous = new Map([...current].map(([id, keys]) => [id, fromKeys(keys)]));
  // Held work stays in the previous assignment, so it is still known as lost next round.
  if (held.size > 0 && ids.length > 0) {
    const ghost = '\u0000lost';
    state.previous.set(ghost, fromKeys(held));
  }
  const assignments = new Map<string, MemberAssignment>();
  for (const id of ids)
    assignments.set(id, { assigned: fromKeys(assigned.get(id)!), revoked: fromKeys(revoked.get(id)!) });
  return { assignments, delayMs };
}
