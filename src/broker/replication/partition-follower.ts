import { ErrorCode } from '../../protocol/error-codes.js';
import { type FollowerLogView, offsetTruncationState } from './follower-truncation.js';

/** The follower's requests to its leader; `seq` pairs an answer with its request. */
export type FollowerRequest =
  | {
      readonly type: 'offsetsForLeaderEpoch';
      readonly seq: number;
      readonly leaderId: number;
      readonly currentLeaderEpoch: number;
      /** The epoch whose end offset is asked: the follower's latest. */
      readonly leaderEpoch: number;
    }
  | {
      readonly type: 'fetch';
      readonly seq: number;
      readonly leaderId: number;
      readonly currentLeaderEpoch: number;
      readonly fetchOffset: number;
      readonly lastFetchedEpoch: number;
    }
  | {
      readonly type: 'listOffsets';
      readonly seq: number;
      readonly leaderId: number;
      readonly currentLeaderEpoch: number;
      readonly which: 'latest' | 'earliest';
    };

/** Work on the follower's own log, for the shell to run in order before the next `poll`. */
export type FollowerLogEffect<R> =
  | { readonly type: 'truncate'; readonly offset: number }
  | { readonly type: 'truncateFullyAndStartAt'; readonly offset: number }
  /** Append the fetched batches as the leader wrote them (storage origin 'replication'). */
  | { readonly type: 'append'; readonly records: R }
  /** The leader's high watermark; storage clamps it to the follower's log end. */
  | { readonly type: 'highWatermark'; readonly highWatermark: number };

export interface FetchAnswer<R> {
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  /** The batches read from `fetchOffset`, null or empty for none. */
  readonly records: R | null;
}

type State =
  | { readonly kind: 'truncating' }
  | { readonly kind: 'fetching' }
  | { readonly kind: 'outOfRange'; readonly which: 'latest' | 'earliest' }
  /** An error: try the same step again once `untilMs` has passed. */
  | { readonly kind: 'backoff'; readonly untilMs: number; readonly next: State }
  /** FENCED_LEADER_EPOCH: this follower's leader epoch is stale; nothing until the metadata brings a newer one. */
  | { readonly kind: 'fenced' }
  | { readonly kind: 'stopped' };

export interface PartitionFollowerOptions {
  /** replica.fetch.backoff.ms: the pause after an error (1 s in Kafka). */
  readonly fetchBackoffMs: number;
}

/**
 * The follower side of one partition, as one partition of Kafka's AbstractFetcherThread runs it
 * (the OffsetsForLeaderEpoch variant, KIP-101 and KIP-279), with no I/O. On becoming a follower
 * in a new leader epoch it truncates before it fetches: it asks the leader for the end offset of
 * its own latest epoch and truncates where the two logs stop agreeing, in as many rounds as it
 * takes; then it fetches from its log end offset and appends what it gets at the leader's offsets.
 * OFFSET_OUT_OF_RANGE is resolved with the leader's latest and earliest offsets, as Kafka's
 * fetchOffsetAndTruncate does; FENCED_LEADER_EPOCH stops it until a newer epoch arrives; other
 * errors back off for replica.fetch.backoff.ms.
 *
 * One request is in flight at a time. Inputs change state and return the log work; `poll` returns
 * the next request to send (or null), reading the log after the shell has run that work.
 */
export class PartitionFollower<R> {
  private leaderIdValue = -1;
  private leaderEpochValue = -1;
  private state: State = { kind: 'stopped' };
  private inFlight: number | null = null;
  private seq = 0;
  /** The offset fetching starts from when the leader cannot say where to truncate (Kafka's initial fetch offset: the high watermark). */
  private initialFetchOffset = 0;
  private readonly options: PartitionFollowerOptions;
  private readonly log: FollowerLogView;

  constructor(log: FollowerLogView, options: PartitionFollowerOptions) {
    this.log = log;
    this.options = options;
  }

  get leaderId(): number {
    return this.leaderIdValue;
  }
  get leaderEpoch(): number {
    return this.leaderEpochValue;
  }
  get stateName(): State['kind'] {
    return this.state.kind;
  }

  /**
   * The metadata made this broker a follower of `leaderId` in `leaderEpoch` (Kafka's makeFollower).
   * An epoch at or below the current one is ignored. Truncation comes first: with no epochs in the
   * log (or an empty log), to the high watermark; otherwise through OffsetsForLeaderEpoch.
   */
  becomeFollower(leaderId: number, leaderEpoch: number): FollowerLogEffect<R>[] {
    if (leaderEpoch <= this.leaderEpochValue && this.state.kind !== 'stopped') return [];
    this.leaderIdValue = leaderId;
    this.leaderEpochValue = leaderEpoch;
    this.inFlight = null;
    this.initialFetchOffset = this.log.highWatermark;
    if (this.log.latestEpoch() < 0) {
      // Kafka's truncateToHighWatermark for partitions without epochs.
      this.state = { kind: 'fetching' };
      return this.log.logEndOffset > this.initialFetchOffset
        ? [{ type: 'truncate', offset: this.initialFetchOffset }]
        : [];
    }
    this.state = { kind: 'truncating' };
    return [];
  }

  /** This broker leads the partition now, or no longer hosts it: stop fetching. */
  stop(): void {
    this.state = { kind: 'stopped' };
    this.inFlight = null;
  }

  /** The next request to send to the leader, if one is due and none is in flight. */
  poll(nowMs: number): FollowerRequest | null {
    if (this.inFlight !== null) return null;
    let s = this.state;
    if (s.kind === 'backoff') {
      if (nowMs < s.untilMs) return null;
      s = s.next;
      this.state = s;
    }
    const base = { seq: ++this.seq, leaderId: this.leaderIdValue, currentLeaderEpoch: this.leaderEpochValue };
    let request: FollowerRequest;
    switch (s.kind) {
      case 'truncating':
        request = { ...base, type: 'offsetsForLeaderEpoch', leaderEpoch: this.log.latestEpoch() };
        break;
      case 'fetching':
        request = {
          ...base,
          type: 'fetch',
          fetchOffset: this.log.logEndOffset,
          lastFetchedEpoch: this.log.latestEpoch(),
        };
        break;
      case 'outOfRange':
        request = { ...base, type: 'listOffsets', which: s.which };
        break;
      default:
        return null;
    }
    this.inFlight = base.seq;
    return request;
  }

  /** When `poll` may have something to send next (for the shell's timer), or null if it waits for an answer or metadata. */
  nextPollMs(): number | null {
    if (this.inFlight !== null) return null;
    if (this.state.kind === 'backoff') return this.state.untilMs;
    return this.state.kind === 'fenced' || this.state.kind === 'stopped' ? null : 0;
  }

  /** The request `seq` got no answer (timeout, connection lost): back off and send it again. */
  onRequestFailed(seq: number, nowMs: number): void {
    if (!this.accept(seq)) return;
    this.backoff(nowMs);
  }

  onOffsetsForLeaderEpoch(
    seq: number,
    answer: { errorCode: number; leaderEpoch: number; endOffset: number },
    nowMs: number,
  ): FollowerLogEffect<R>[] {
    if (!this.accept(seq) || this.state.kind !== 'truncating') return [];
    if (this.handledError(answer.errorCode, nowMs)) return [];
    const decision = offsetTruncationState(
      { epoch: answer.leaderEpoch, endOffset: answer.endOffset },
      this.log,
      this.initialFetchOffset,
    );
    // Another round (KIP-279) asks about the epoch that is latest after this truncation. A round
    // that cuts nothing is still sent to the log: it drops the epochs that start at the log end
    // with no record (this broker led them and wrote nothing), else the next round would ask
    // about the same epoch again, forever.
    if (decision.complete) this.state = { kind: 'fetching' };
    const truncate = decision.offset < this.log.logEndOffset || !decision.complete;
    return truncate ? [{ type: 'truncate', offset: decision.offset }] : [];
  }

  onFetch(seq: number, answer: FetchAnswer<R>, nowMs: number): FollowerLogEffect<R>[] {
    if (!this.accept(seq) || this.state.kind !== 'fetching') return [];
    if (answer.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      this.state = { kind: 'outOfRange', which: 'latest' };
      return [];
    }
    if (this.handledError(answer.errorCode, nowMs)) return [];
    const out: FollowerLogEffect<R>[] = [];
    if (answer.records !== null) out.push({ type: 'append', records: answer.records });
    out.push({ type: 'highWatermark', highWatermark: answer.highWatermark });
    return out;
  }

  /**
   * Kafka's fetchOffsetAndTruncate after OFFSET_OUT_OF_RANGE: if the leader's log ends before ours
   * (an unclean leader), truncate to its end; otherwise our log ends before the leader's start, so
   * start over at the leader's log start offset.
   */
  onListOffsets(
    seq: number,
    answer: { errorCode: number; offset: number },
    nowMs: number,
  ): FollowerLogEffect<R>[] {
    const s = this.state;
    if (!this.accept(seq) || s.kind !== 'outOfRange') return [];
    if (this.handledError(answer.errorCode, nowMs)) return [];
    const replicaEndOffset = this.log.logEndOffset;
    if (s.which === 'latest') {
      if (answer.offset < replicaEndOffset) {
        this.state = { kind: 'fetching' };
        return [{ type: 'truncate', offset: answer.offset }];
      }
      this.state = { kind: 'outOfRange', which: 'earliest' };
      return [];
    }
    this.state = { kind: 'fetching' };
    return answer.offset > replicaEndOffset
      ? [{ type: 'truncateFullyAndStartAt', offset: answer.offset }]
      : [];
  }

  /** Only the answer to the request in flight counts: late, duplicated or reordered ones are dropped. */
  private accept(seq: number): boolean {
    if (this.inFlight !== seq) return false;
    this.inFlight = null;
    return true;
  }

  private handledError(errorCode: number, nowMs: number): boolean {
    if (errorCode === ErrorCode.NONE) return false;
    if (errorCode === ErrorCode.FENCED_LEADER_EPOCH) this.state = { kind: 'fenced' };
    else this.backoff(nowMs);
    return true;
  }

  private backoff(nowMs: number): void {
    const s = this.state;
    if (s.kind === 'stopped' || s.kind === 'fenced') return;
    const next = s.kind === 'backoff' ? s.next : s;
    this.state = { kind: 'backoff', untilMs: nowMs + this.options.fetchBackoffMs, next };
  }
}
