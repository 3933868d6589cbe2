import type { CompletedTxn, StartedTxn } from './producer-append.js';

/** A transaction the last stable offset may wait on (Kafka's TxnMetadata); lastOffset -1 while open. */
interface TrackedTxn {
  readonly producerId: bigint;
  readonly firstOffset: number;
  lastOffset: number;
}

/**
 * The transactions that hold the last stable offset back (Kafka's ProducerStateManager ongoingTxns
 * and unreplicatedTxns): those still open, and those ended by a marker the high watermark has not
 * passed yet. Both lists are kept in first-offset order; appends add at the end, so inserts are
 * cheap, and a partition rarely has more than a few transactions open at once.
 */
export class TxnTracker {
  private readonly ongoing: TrackedTxn[] = [];
  private readonly unreplicated: TrackedTxn[] = [];

  get ongoingCount(): number {
    return this.ongoing.length;
  }

  begin(t: StartedTxn): void {
    insertSorted(this.ongoing, { producerId: t.producerId, firstOffset: t.firstOffset, lastOffset: -1 });
  }

  /**
   * The last stable offset written with an aborted transaction in the transaction index (Kafka's
   * ProducerStateManager.lastStableOffset(CompletedTxn)): the first offset of the earliest other
   * open transaction, or the offset after the marker when none is open.
   */
  lastStableOffsetAfter(c: CompletedTxn): number {
    for (const t of this.ongoing) if (t.producerId !== c.producerId) return t.firstOffset;
    return c.lastOffset + 1;
  }

  /** The marker is appended: the transaction waits for the high watermark to pass it (completeTxn). */
  complete(c: CompletedTxn): void {
    const i = this.ongoing.findIndex((t) => t.firstOffset === c.firstOffset);
    const t =
      i >= 0
        ? this.ongoing.splice(i, 1)[0]!
        : { producerId: c.producerId, firstOffset: c.firstOffset, lastOffset: -1 };
    t.lastOffset = c.lastOffset;
    insertSorted(this.unreplicated, t);
  }

  /** Forgets the completed transactions whose marker is below `offset` (the high watermark or log start). */
  removeCompletedBefore(offset: number): void {
    if (this.unreplicated.length === 0) return;
    let w = 0;
    for (const t of this.unreplicated) if (t.lastOffset >= offset) this.unreplicated[w++] = t;
    this.unreplicated.length = w;
  }

  /** The first offset of the earliest transaction not yet stable, or null (Kafka's firstUnstableOffset). */
  firstUnstableOffset(): number | null {
    const a = this.ongoing[0]?.firstOffset;
    const b = this.unreplicated[0]?.firstOffset;
    if (a === undefined) return b ?? null;
    return b === undefined ? a : Math.min(a, b);
  }

  /** The open transactions, oldest first. */
  openTransactions(): readonly { readonly producerId: bigint; readonly firstOffset: number }[] {
    return this.ongoing;
  }

  clear(): void {
    this.ongoing.length = 0;
    this.unreplicated.length = 0;
  }
}

function insertSorted(list: TrackedTxn[], t: TrackedTxn): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.firstOffset > t.firstOffset) i--;
  list.splice(i, 0, t);
}
