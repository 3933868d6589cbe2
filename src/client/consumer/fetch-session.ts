import { ErrorCode } from '../../protocol/error-codes.js';

/** What the session holds for one partition: what we last told the broker. */
interface SessionPartition {
  topic: string;
  partition: number;
  fetchOffset: bigint;
  maxBytes: number;
}

export interface FetchWanted {
  topic: string;
  partition: number;
  fetchOffset: bigint;
  maxBytes: number;
}

export interface FetchPlan {
  sessionId: number;
  sessionEpoch: number;
  /** Partitions to put in the request: all of them on a full fetch, changed ones on an incremental one. */
  send: FetchWanted[];
  /** Partitions to drop from the session (incremental fetches only). */
  forget: { topic: string; partition: number }[];
}

/** Epoch -1 closes a session; 0 asks for a new one (FetchMetadata.FINAL_EPOCH / INITIAL_EPOCH). */
const INITIAL_EPOCH = 0;

/**
 * The client half of an incremental fetch session (KIP-227, FetchSessionHandler). After a full
 * fetch creates the session, requests carry only partitions whose fetch offset or size changed,
 * plus partitions to forget; the broker remembers the rest.
 */
export class FetchSession {
  private id = 0;
  private epoch = INITIAL_EPOCH;
  private partitions = new Map<string, SessionPartition>();
  private pending: Map<string, SessionPartition> | null = null;

  get sessionId(): number {
    return this.id;
  }

  plan(wanted: readonly FetchWanted[], supported: boolean): FetchPlan {
    const next = new Map<string, SessionPartition>();
    for (const w of wanted) next.set(`${w.topic}\u0000${w.partition}`, { ...w });
    this.pending = next;
    if (!supported) return { sessionId: 0, sessionEpoch: -1, send: [...wanted], forget: [] };
    if (this.id === 0 || this.epoch === INITIAL_EPOCH) {
      return { sessionId: 0, sessionEpoch: INITIAL_EPOCH, send: [...wanted], forget: [] };
    }
    const send: FetchWanted[] = [];
    for (const [k, w] of next) {
      const old = this.partitions.get(k);
      if (!old || old.fetchOffset !== w.fetchOffset || old.maxBytes !== w.maxBytes) send.push(w);
    }
    const forget: { topic: string; partition: number }[] = [];
    for (const [k, old] of this.partitions)
      if (!next.has(k)) forget.push({ topic: old.topic, partition: old.partition });
    return { sessionId: this.id, sessionEpoch: this.epoch, send, forget };
  }

  /** Updates the session from a response's top-level error and session id. */
  onResponse(errorCode: number, sessionId: number): void {
    if (
      errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND ||
      errorCode === ErrorCode.INVALID_FETCH_SESSION_EPOCH
    ) {
      this.reset();
      return;
    }
    if (errorCode !== 0) return;
    if (this.id === 0 || this.epoch === INITIAL_EPOCH) {
      this.id = sessionId;
      this.epoch = sessionId === 0 ? INITIAL_EPOCH : 1;
    } else {
      this.epoch = this.epoch >= 0x7fffffff ? 1 : this.epoch + 1;
    }
    if (this.pending) this.partitions = this.pending;
    this.pending = null;
  }

  /** Starts over with a full fetch (after an error, or when the connection was lost). */
  reset(): void {
    this.id = 0;
    this.epoch = INITIAL_EPOCH;
    this.partitions.clear();
    this.pending = null;
  }
}
