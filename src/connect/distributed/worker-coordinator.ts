import type { GroupJoin, GroupMember, JoinedMember, Kafka } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import {
  CONNECT_PROTOCOLS,
  type ConnectAssignment,
  type ConnectorsAndTasks,
  type ConnectProtocolName,
  decodeAssignment,
  decodeWorkerState,
  emptyConnectorsAndTasks,
  encodeAssignment,
  encodeWorkerState,
} from './connect-protocol.js';
import { type AssignorState, assignIncrementally } from './incremental-assignor.js';

export interface WorkerCoordinatorOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly scheduledRebalanceMaxDelayMs: number;
  /** connect.protocol: the most recent protocol this worker speaks; it offers the older ones too. */
  readonly protocol: ConnectProtocolName;
  readonly logger: Logger;
  /** This worker's REST URL, given to the others through the leader. */
  url(): string;
  /** The offset after the last config record this worker has read. */
  configOffset(): bigint;
  /** On the leader: reads the config topic to its end; the connectors and tasks to assign and its offset. */
  readConfig(): Promise<{ configured: ConnectorsAndTasks; offset: bigint }>;
  /** What this worker runs now. */
  owned(): ConnectorsAndTasks;
  /** Eager protocol only: everything stops before each join. */
  revokeAll(): Promise<void>;
  /** A generation's assignment for this worker. */
  onAssignment(assignment: ConnectAssignment, generation: number): Promise<void>;
  /** A rebalance has begun: the herder should let ensureActive run. */
  wake(): void;
}

/**
 * A Connect worker's membership in its group (Kafka's WorkerCoordinator): protocol type "connect",
 * each worker's URL, config offset and current assignment as JoinGroup metadata, and on the
 * leader the incremental cooperative assignment of connectors and tasks (KIP-415) or, under
 * connect.protocol=default, Kafka's eager one (everything stops, everything is assigned anew).
 */
export class WorkerCoordinator {
  readonly member: GroupMember;
  private readonly assignorState: AssignorState = { previous: null, lostDeadlineMs: null };
  private lastAssignment: ConnectAssignment | null = null;
  private delayTimer: NodeJS.Timeout | null = null;
  private generation = -1;

  constructor(private readonly options: WorkerCoordinatorOptions) {
    this.member = options.kafka.groupMember(
      {
        groupId: options.groupId,
        protocolType: 'connect',
        sessionTimeoutMs: options.sessionTimeoutMs,
        rebalanceTimeoutMs: options.rebalanceTimeoutMs,
        heartbeatIntervalMs: options.heartbeatIntervalMs,
      },
      {
        protocols: () => this.protocols(),
        onJoinPrepare: async () => {
          if (this.lastAssignment !== null && this.lastAssignment.version === 0) await options.revokeAll();
        },
        assign: (leaderId, protocolName, members) => this.assign(leaderId, protocolName, members),
        onJoinComplete: (join) => this.onJoinComplete(join),
        onLost: () => options.revokeAll(),
        onRebalanceNeeded: () => options.wake(),
      },
    );
  }

  /** The leader's id and URL from the last assignment; null before the first. */
  get leader(): { id: string; url: string } | null {
    const a = this.lastAssignment;
    return a === null || a.leader === '' ? null : { id: a.leader, url: a.leaderUrl };
  }

  get isLeader(): boolean {
    return this.lastAssignment !== null && this.lastAssignment.leader === this.member.memberId;
  }

  get generationId(): number {
    return this.generation;
  }

  private protocols(): { name: string; metadata: Buffer }[] {
    const names = (Object.keys(CONNECT_PROTOCOLS) as ConnectProtocolName[])
      .filter((n) => CONNECT_PROTOCOLS[n] <= CONNECT_PROTOCOLS[this.options.protocol])
      .reverse();
    const owned = this.options.owned();
    return names.map((name) => {
      const version = CONNECT_PROTOCOLS[name];
      const allocation: ConnectAssignment | null =
        version === 0 || this.lastAssignment === null
          ? null
          : { ...this.lastAssignment, version, ...owned, revoked: emptyConnectorsAndTasks(), delayMs: 0 };
      return {
        name,
        metadata: encodeWorkerState({
          version,
          url: this.options.url(),
          configOffset: this.options.configOffset(),
          allocation,
        }),
      };
    });
  }

  private async assign(
    leaderId: string,
    protocolName: string,
    members: readonly JoinedMember[],
  ): Promise<Map<string, Buffer>> {
    const version = CONNECT_PROTOCOLS[protocolName as ConnectProtocolName] ?? 0;
    const states = members.map((m) => ({ memberId: m.memberId, state: decodeWorkerState(m.metadata) }));
    const { configured, offset } = await this.options.readConfig();
    const leaderUrl = states.find((s) => s.memberId === leaderId)?.state.url ?? this.options.url();
    const eager = version === 0;
    if (eager) this.assignorState.previous = null;
    const result = assignIncrementally(
      states.map((s) => ({
        memberId: s.memberId,
        owned: eager || s.state.allocation === null ? emptyConnectorsAndTasks() : s.state.allocation,
      })),
      configured,
      this.assignorState,
      performance.now(),
      eager ? 0 : this.options.scheduledRebalanceMaxDelayMs,
    );
    this.options.logger.info(
      {
        members: states.length,
        connectors: configured.connectors.length,
        tasks: configured.tasks.length,
        delayMs: result.delayMs,
      },
      'assigned connectors and tasks',
    );
    const out = new Map<string, Buffer>();
    for (const [memberId, a] of result.assignments) {
      out.set(
        memberId,
        encodeAssignment({
          version,
          error: 0,
          leader: leaderId,
          leaderUrl,
          configOffset: offset,
          ...a.assigned,
          revoked: a.revoked,
          delayMs: result.delayMs,
        }),
      );
    }
    return out;
  }

  private async onJoinComplete(join: GroupJoin): Promise<void> {
    const assignment = decodeAssignment(join.assignment);
    this.lastAssignment = assignment;
    this.generation = join.generationId;
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.delayTimer = null;
    await this.options.onAssignment(assignment, join.generationId);
    // Revoked work is free once this worker has stopped it: the next round gives it away (KIP-415).
    if (assignment.revoked.connectors.length > 0 || assignment.revoked.tasks.length > 0)
      this.member.requestRejoin();
    if (assignment.delayMs > 0) {
      this.delayTimer = setTimeout(() => {
        this.delayTimer = null;
        this.member.requestRejoin();
      }, assignment.delayMs);
    }
  }

  close(): void {
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.member.close();
  }
}
