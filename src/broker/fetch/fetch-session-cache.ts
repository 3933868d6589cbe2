import type { Clock } from '../../common/clock.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';

/** Session epochs of KIP-227: 0 opens a session with a full fetch, -1 fetches without one. */
export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;
/** Kafka keeps a session at least this long before another client may evict it. */
const MIN_EVICTION_MS = 120_000;

/** A partition as a fetch request names it: by topic name (v0–v12) or topic id (v13+). */
export interface FetchPartitionKey {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
}

export interface FetchPartitionRequest extends FetchPartitionKey {
  readonly fetchOffset: bigint;
  readonly logStartOffset: bigint;
  readonly partitionMaxBytes: number;
  readonly currentLeaderEpoch: number;
  readonly lastFetchedEpoch: number;
}

/** What was last sent for a partition, to tell whether an incremental response must include it. */
interface SentState {
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
}

interface SessionPartition {
  request: FetchPartitionRequest;
  sent: SentState | null;
}

export interface FetchSession {
  readonly id: number;
  epoch: number;
  readonly partitions: Map<string, SessionPartition>;
  lastUsedMs: number;
  readonly createdMs: number;
}

/** The outcome of resolving a request against the cache. */
export type SessionContext =
  | { readonly kind: 'error'; readonly errorCode: number }
  | {
      /** Full: every requested partition is fetched and returned. Incremental: the session's partitions. */
      readonly kind: 'full' | 'incremental';
      readonly session: FetchSession | null;
      readonly partitions: readonly FetchPartitionRequest[];
    };

export interface PartitionOutcome {
  readonly key: FetchPartitionKey;
  readonly errorCode: number;
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly logStartOffset: bigint;
  readonly recordBytes: number;
}

export function partitionKey(p: FetchPartitionKey): string {
  return `${p.topicId === ZERO_UUID ? p.topic : p.topicId}:${p.partition}`;
}

/**
 * Incremental fetch sessions (KIP-227). A session remembers the partitions a client fetches so
 * that later requests and responses carry only what changed. Pure apart from the injected clock.
 */
export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();
  private nextId = 1;

  constructor(
    private readonly maxSessions: number,
    private readonly clock: Clock,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /**
   * Resolves a request: `requested` are the partitions in the request, `forgotten` those it removes.
   * Errors: FETCH_SESSION_ID_NOT_FOUND and INVALID_FETCH_SESSION_EPOCH, as the broker returns them.
   */
  resolve(
    sessionId: number,
    epoch: number,
    requested: readonly FetchPartitionRequest[],
    forgotten: readonly FetchPartitionKey[],
    isFollower: boolean,
  ): SessionContext {
    const now = this.clock.monotonicMs();
    if (epoch === FINAL_EPOCH || epoch === INITIAL_EPOCH) {
      if (sessionId !== 0) this.sessions.delete(sessionId);
      if (epoch === FINAL_EPOCH) return { kind: 'full', session: null, partitions: requested };
      const session = this.create(requested, now, isFollower);
      return { kind: 'full', session, partitions: requested };
    }
    const session = this.sessions.get(sessionId);
    if (!session) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
    if (session.epoch !== epoch) return { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
    for (const f of forgotten) session.partitions.delete(partitionKey(f));
    for (const r of requested) {
      const key = partitionKey(r);
      const existing = session.partitions.get(key);
      if (existing) existing.request = r;
      else session.partitions.set(key, { request: r, sent: null });
    }
    session.epoch = nextEpoch(session.epoch);
    session.lastUsedMs = now;
    return {
      kind: 'incremental',
      session,
      partitions: [...session.partitions.values()].map((p) => p.request),
    };
  }

  /**
   * Filters outcomes for the response: a full response keeps every partition; an incremental one
   * keeps a partition only when it has records, an error, or a changed watermark or start offset.
   * Records what was sent so the next response can compare. Returns the keys to include.
   */
  select(ctx: SessionContext, outcomes: readonly PartitionOutcome[]): Set<string> {
    const include = new Set<string>();
    if (ctx.kind === 'error') return include;
    for (const o of outcomes) {
      const key = partitionKey(o.key);
      const entry = ctx.session?.partitions.get(key);
      const changed =
        !entry?.sent ||
        o.recordBytes > 0 ||
        o.errorCode !== ErrorCode.NONE ||
        entry.sent.highWatermark !== o.highWatermark ||
        entry.sent.lastStableOffset !== o.lastStableOffset ||
        entry.sent.logStartOffset !== o.logStartOffset;
      if (ctx.kind === 'full' || changed) include.add(key);
      if (entry) {
        entry.sent = {
          highWatermark: o.highWatermark,
          lastStableOffset: o.lastStableOffset,
          logStartOffset: o.logStartOffset,
        };
        if (o.recordBytes > 0) {
          // The client will advance past what it received: nothing else tracks its position.
        }
      }
    }
    return include;
  }

  /** Creates a session when there is room, evicting one idle for MIN_EVICTION_MS if needed; else null. */
  private create(
    partitions: readonly FetchPartitionRequest[],
    now: number,
    isFollower: boolean,
  ): FetchSession | null {
    if (this.maxSessions <= 0) return null;
    if (this.sessions.size >= this.maxSessions && !this.evictOne(now, isFollower, partitions.length))
      return null;
    let id = this.nextId;
    while (id === 0 || this.sessions.has(id)) id = (id + 1) & 0x7fffffff;
    this.nextId = (id + 1) & 0x7fffffff;
    const session: FetchSession = { id, epoch: 1, partitions: new Map(), lastUsedMs: now, createdMs: now };
    for (const p of partitions) session.partitions.set(partitionKey(p), { request: p, sent: null });
    this.sessions.set(id, session);
    return session;
  }

  /**
   * Makes room the way Kafka's cache does, simplified: the least recently used session that has
   * been idle for MIN_EVICTION_MS goes first; otherwise a session smaller than the new one, so that
   * the cache favours the sessions that save the most. Followers are preferred over consumers.
   */
  private evictOne(now: number, isFollower: boolean, size: number): boolean {
    let stale: FetchSession | null = null;
    let smallest: FetchSession | null = null;
    for (const s of this.sessions.values()) {
      if (now - s.lastUsedMs >= MIN_EVICTION_MS && (!stale || s.lastUsedMs < stale.lastUsedMs)) stale = s;
      if (!smallest || s.partitions.size < smallest.partitions.size) smallest = s;
    }
    const victim = stale ?? (smallest && (isFollower || smallest.partitions.size < size) ? smallest : null);
    if (!victim) return false;
    this.sessions.delete(victim.id);
    return true;
  }

  remove(sessionId: number): void {
    this.sessions.delete(sessionId);
  }
}

/** Epochs wrap from int32 max back to 1 (0 and -1 are reserved). */
function nextEpoch(epoch: number): number {
  return epoch >= 0x7fffffff ? 1 : epoch + 1;
}
