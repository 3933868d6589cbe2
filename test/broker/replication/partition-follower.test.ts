import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type FollowerLogView,
  offsetTruncationState,
} from '../../../src/broker/replication/follower-truncation.js';
import {
  type FollowerLogEffect,
  PartitionFollower,
} from '../../../src/broker/replication/partition-follower.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { LeaderEpochCache } from '../../../src/storage/leader-epoch-cache.js';

/** A follower log of (offset, epoch) entries with storage's leader-epoch cache. */
class MemoryLog implements FollowerLogView {
  epochs: number[] = [];
  /** Epochs assigned at the log end with no record yet (a leader that wrote nothing). */
  emptyEpochs: { epoch: number; startOffset: number }[] = [];
  highWatermark = 0;
  logStartOffset = 0;
  constructor(epochs: number[] = []) {
    this.epochs = epochs;
  }
  get logEndOffset(): number {
    return this.logStartOffset + this.epochs.length;
  }
  private cache(): LeaderEpochCache {
    const c = new LeaderEpochCache(null);
    for (const [i, e] of this.epochs.entries()) c.assign(e, this.logStartOffset + i);
    for (const e of this.emptyEpochs) c.assign(e.epoch, e.startOffset);
    return c;
  }
  latestEpoch(): number {
    return this.cache().latestEpoch();
  }
  endOffsetForEpoch(epoch: number) {
    return this.cache().endOffsetFor(epoch, this.logEndOffset);
  }
  run(effects: FollowerLogEffect<number[]>[]): void {
    for (const e of effects) {
      if (e.type === 'truncate') this.epochs = this.epochs.slice(0, e.offset - this.logStartOffset);
      else if (e.type === 'truncateFullyAndStartAt') {
        this.epochs = [];
        this.logStartOffset = e.offset;
      } else if (e.type === 'append') this.epochs.push(...e.records);
      else this.highWatermark = Math.min(e.highWatermark, this.logEndOffset);
    }
  }
}

describe('offsetTruncationState (Kafka AbstractFetcherThread.getOffsetTruncationState)', () => {
  // Follower: epochs 1 at 0-4, 2 at 5-7, 4 at 8-9.
  const log = new MemoryLog([1, 1, 1, 1, 1, 2, 2, 2, 4, 4]);
  it('truncates to the smaller end offset when both know the epoch', () => {
    assert.deepEqual(offsetTruncationState({ epoch: 2, endOffset: 7 }, log, 0), {
      offset: 7,
      complete: true,
    });
    assert.deepEqual(offsetTruncationState({ epoch: 4, endOffset: 12 }, log, 0), {
      offset: 10,
      complete: true,
    });
  });
  it('truncates to the end of its largest older epoch and asks again when it lacks the leader epoch (KIP-279)', () => {
    assert.deepEqual(offsetTruncationState({ epoch: 3, endOffset: 9 }, log, 0), {
      offset: 8,
      complete: false,
    });
  });
  it('falls back to the high watermark or the leader end offset when epochs are unknown', () => {
    assert.deepEqual(offsetTruncationState({ epoch: -1, endOffset: -1 }, log, 6), {
      offset: 6,
      complete: true,
    });
    assert.deepEqual(offsetTruncationState({ epoch: -1, endOffset: 3 }, log, 6), {
      offset: 3,
      complete: true,
    });
    assert.deepEqual(offsetTruncationState({ epoch: 0, endOffset: 3 }, new MemoryLog([]), 0), {
      offset: 0,
      complete: true,
    });
  });
});

describe('PartitionFollower (Kafka AbstractFetcherThread, one partition)', () => {
  it('truncates in rounds with OffsetsForLeaderEpoch before it fetches from its log end', () => {
    const log = new MemoryLog([1, 1, 2, 2, 2, 4]);
    const f = new PartitionFollower<number[]>(log, { fetchBackoffMs: 100 });
    log.run(f.becomeFollower(7, 5));
    const q1 = f.poll(0);
    assert.deepEqual(q1, {
      type: 'offsetsForLeaderEpoch',
      seq: 1,
      leaderId: 7,
      currentLeaderEpoch: 5,
      leaderEpoch: 4,
    });
    // The leader never had epoch 4: its largest epoch at or below is 3, ending at 4.
    log.run(f.onOffsetsForLeaderEpoch(1, { errorCode: 0, leaderEpoch: 3, endOffset: 4 }, 0));
    assert.equal(log.logEndOffset, 5, 'cut to the end of epoch 2 first');
    const q2 = f.poll(0);
    assert.equal(q2?.type === 'offsetsForLeaderEpoch' && q2.leaderEpoch, 2);
    log.run(f.onOffsetsForLeaderEpoch(q2!.seq, { errorCode: 0, leaderEpoch: 2, endOffset: 4 }, 0));
    assert.equal(log.logEndOffset, 4);
    const q3 = f.poll(0);
    assert.deepEqual(q3, {
      type: 'fetch',
      seq: 3,
      leaderId: 7,
      currentLeaderEpoch: 5,
      fetchOffset: 4,
      lastFetchedEpoch: 2,
    });
    log.run(f.onFetch(3, { errorCode: 0, highWatermark: 6, logStartOffset: 0, records: [3, 5] }, 0));
    assert.deepEqual(log.epochs, [1, 1, 2, 2, 3, 5]);
    assert.equal(log.highWatermark, 6);
    assert.equal((f.poll(0) as { fetchOffset: number }).fetchOffset, 6);
  });

  it('drops an epoch it led without writing, so the next round asks about an older one', () => {
    // Epoch 2 starts at the log end: this broker led it and wrote nothing.
    const log = new MemoryLog([0]);
    const f = new PartitionFollower<number[]>(log, { fetchBackoffMs: 100 });
    const runTruncate = (effects: FollowerLogEffect<number[]>[]) => {
      for (const e of effects)
        if (e.type === 'truncate') log.emptyEpochs = log.emptyEpochs.filter((x) => x.startOffset < e.offset);
      log.run(effects);
    };
    log.emptyEpochs = [{ epoch: 2, startOffset: 1 }];
    f.becomeFollower(3, 3);
    const q1 = f.poll(0)!;
    assert.equal(q1.type === 'offsetsForLeaderEpoch' && q1.leaderEpoch, 2);
    // The leader never had epoch 2: epoch 1 ends at 2 in its log.
    runTruncate(f.onOffsetsForLeaderEpoch(q1.seq, { errorCode: 0, leaderEpoch: 1, endOffset: 2 }, 0));
    const q2 = f.poll(0)!;
    assert.equal(
      q2.type === 'offsetsForLeaderEpoch' && q2.leaderEpoch,
      0,
      'asks about epoch 0 now, not 2 again',
    );
    runTruncate(f.onOffsetsForLeaderEpoch(q2.seq, { errorCode: 0, leaderEpoch: 0, endOffset: 1 }, 0));
    assert.equal(f.stateName, 'fetching');
  });

  it('drops answers that are not to the request in flight', () => {
    const log = new MemoryLog([1]);
    const f = new PartitionFollower<number[]>(log, { fetchBackoffMs: 100 });
    f.becomeFollower(2, 3);
    const q = f.poll(0)!;
    assert.equal(f.poll(0), null, 'one request in flight');
    assert.deepEqual(
      f.onOffsetsForLeaderEpoch(q.seq + 1, { errorCode: 0, leaderEpoch: 1, endOffset: 0 }, 0),
      [],
    );
    assert.deepEqual(f.onOffsetsForLeaderEpoch(q.seq, { errorCode: 0, leaderEpoch: 1, endOffset: 1 }, 0), []);
    assert.deepEqual(
      f.onOffsetsForLeaderEpoch(q.seq, { errorCode: 0, leaderEpoch: 1, endOffset: 0 }, 0),
      [],
      'a duplicate',
    );
    assert.equal(f.stateName, 'fetching');
  });

  it('stops on FENCED_LEADER_EPOCH until a newer epoch, and backs off on other errors', () => {
    const log = new MemoryLog([1]);
    const f = new PartitionFollower<number[]>(log, { fetchBackoffMs: 100 });
    f.becomeFollower(2, 3);
    const q = f.poll(0)!;
    f.onOffsetsForLeaderEpoch(
      q.seq,
      { errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH, leaderEpoch: -1, endOffset: -1 },
      10,
    );
    assert.equal(f.poll(50), null);
    assert.equal(f.nextPollMs(), 110);
    const again = f.poll(110)!;
    assert.equal(again.type, 'offsetsForLeaderEpoch');
    f.onOffsetsForLeaderEpoch(
      again.seq,
      { errorCode: ErrorCode.FENCED_LEADER_EPOCH, leaderEpoch: -1, endOffset: -1 },
      120,
    );
    assert.equal(f.stateName, 'fenced');
    assert.equal(f.poll(10_000), null);
    assert.deepEqual(f.becomeFollower(2, 3), [], 'not a newer epoch');
    f.becomeFollower(4, 4);
    assert.equal(f.poll(10_000)?.type, 'offsetsForLeaderEpoch');
  });

  it('resolves OFFSET_OUT_OF_RANGE with the leader latest and earliest offsets', () => {
    // Our log is longer than the (unclean) leader's: truncate to its end.
    const ahead = new MemoryLog([1, 1, 1, 1]);
    const f = new PartitionFollower<number[]>(ahead, { fetchBackoffMs: 100 });
    ahead.run(f.becomeFollower(2, 3));
    const q = f.poll(0)!;
    ahead.run(f.onOffsetsForLeaderEpoch(q.seq, { errorCode: 0, leaderEpoch: 1, endOffset: 4 }, 0));
    const fetch = f.poll(0)!;
    f.onFetch(
      fetch.seq,
      { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1, logStartOffset: -1, records: null },
      0,
    );
    const latest = f.poll(0)!;
    assert.deepEqual(latest.type === 'listOffsets' && latest.which, 'latest');
    ahead.run(f.onListOffsets(latest.seq, { errorCode: 0, offset: 2 }, 0));
    assert.equal(ahead.logEndOffset, 2);
    assert.equal(f.poll(0)?.type, 'fetch');

    // Our log ends before the leader's start: start over there.
    const behind = new MemoryLog([1, 1]);
    const g = new PartitionFollower<number[]>(behind, { fetchBackoffMs: 100 });
    g.becomeFollower(2, 3);
    const q2 = g.poll(0)!;
    g.onOffsetsForLeaderEpoch(q2.seq, { errorCode: 0, leaderEpoch: 1, endOffset: 2 }, 0);
    const f2 = g.poll(0)!;
    g.onFetch(
      f2.seq,
      { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1, logStartOffset: -1, records: null },
      0,
    );
    const l2 = g.poll(0)!;
    g.onListOffsets(l2.seq, { errorCode: 0, offset: 10 }, 0);
    const e2 = g.poll(0)!;
    assert.equal(e2.type === 'listOffsets' && e2.which, 'earliest');
    behind.run(g.onListOffsets(e2.seq, { errorCode: 0, offset: 7 }, 0));
    assert.deepEqual([behind.logStartOffset, behind.logEndOffset], [7, 7]);
    assert.equal((g.poll(0) as { fetchOffset: number }).fetchOffset, 7);
  });

  it('truncates to the high watermark when its log has no leader epochs', () => {
    const log = new MemoryLog([]);
    log.epochs = [];
    const f = new PartitionFollower<number[]>(log, { fetchBackoffMs: 100 });
    assert.deepEqual(f.becomeFollower(1, 1), []);
    assert.equal(f.poll(0)?.type, 'fetch');
  });
});
