import type { Logger } from '../../common/logger.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { FetchResponsePartitionData } from '../../protocol/generated/messages/fetch-response.js';
import { upConvertMessageSet } from '../../protocol/records/convert.js';
import { type OpenOptions, openRecordBatch } from '../../protocol/records/record-batch.js';
import { BatchOffsets, splitBatches } from '../../protocol/records/record-batch-header.js';
import { backoffMs, sleep } from '../backoff.js';
import { ClientError, KafkaError } from '../client-error.js';
import { groupBy } from '../collections.js';
import { Apis } from '../network/apis.js';
import type { Cluster } from '../network/cluster.js';
import { AbortedTransactions } from './aborted-transactions.js';
import { appendConsumerRecords } from './consumer-records.js';
import { FetchSession, type FetchWanted } from './fetch-session.js';
import type { ConsumerRecord, PartitionState, SubscriptionState } from './subscription-state.js';

export interface FetcherOptions {
  fetchMinBytes: number;
  fetchMaxBytes: number;
  fetchMaxWaitMs: number;
  maxPartitionFetchBytes: number;
  /** Bound on fetched records waiting for the application. */
  prefetchBytesMax: number;
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: number;
  /** check.crcs: verify each batch's CRC32C. */
  checkCrcs: boolean;
  logger: Logger;
  /** Called when a partition's fetch offset is out of range; resets it by policy. */
  onOffsetOutOfRange(state: PartitionState): Promise<void>;
  /** Called when records were buffered, to wake a waiting poll. */
  onData(): void;
}

/**
 * Prefetches records for assigned partitions: one fetch loop per leader broker, each with its own
 * incremental fetch session. Loops stop asking while the prefetch buffer is over its bound.
 */
export class Fetcher {
  private readonly loops = new Map<number, Promise<void>>();
  private readonly sessions = new Map<number, FetchSession>();
  private wakers: (() => void)[] = [];
  private closed = false;
  /** Records were buffered and the application has not been told yet. */
  private dataArrived = false;
  private readonly abort = new AbortController();
  private readonly openOptions: OpenOptions;
  /** The metadata update asked for partitions without a known leader, while one is pending. */
  private leaderRefresh: Promise<void> | null = null;
  /** Leader refreshes in a row that still left a partition without a leader: the back-off's attempt. */
  private leaderRefreshes = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly state: SubscriptionState,
    private readonly options: FetcherOptions,
  ) {
    this.openOptions = { checkCrc: options.checkCrcs };
  }

  /** Starts loops for leaders that have fetchable partitions; wakes idle loops. */
  ensureFetching(): void {
    if (this.closed) return;
    let leaderless = false;
    for (const s of this.state.partitions.values()) {
      const leader = this.cluster.leaderFor(s.topic, s.partition);
      if (leader < 0 && !s.paused && s.fetchPosition !== null) leaderless = true;
      if (leader >= 0 && !this.loops.has(leader)) {
        this.loops.set(
          leader,
          this.loop(leader).finally(() => this.loops.delete(leader)),
        );
      }
    }
    if (leaderless) this.refreshForLeaders();
    else this.leaderRefreshes = 0;
    this.wake();
  }

  /**
   * A partition to fetch has no known leader (its broker was fenced or is down): ask for metadata
   * again, with back-off, and start fetching once a leader is known, as Java's AbstractFetcher
   * (prepareFetchRequests) requests a metadata update for such a partition. Without this the
   * partition was never fetched again: the fetch loop of its old leader had ended, and nothing
   * else refreshes the metadata of assigned partitions.
   */
  private refreshForLeaders(): void {
    if (this.leaderRefresh) return;
    const delay = backoffMs(this.leaderRefreshes++, this.cluster.options.backoff);
    this.leaderRefresh = sleep(delay, this.abort.signal)
      .then(() => this.refreshMetadata())
      .catch(() => undefined)
      .finally(() => {
        this.leaderRefresh = null;
        this.ensureFetching();
      });
  }

  wake(): void {
    const w = this.wakers;
    this.wakers = [];
    for (const f of w) f();
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wakers.push(done);
    });
  }

  private fetchable(node: number): PartitionState[] {
    if (this.state.bufferedBytes >= this.options.prefetchBytesMax) return [];
    const out: PartitionState[] = [];
    for (const s of this.state.partitions.values()) {
      if (s.paused || s.fetchPosition === null) continue;
      // Room for one more response while the application reads the one buffered (double buffering).
      if (s.bufferedBytes >= 2 * this.options.maxPartitionFetchBytes) continue;
      if (this.cluster.leaderFor(s.topic, s.partition) === node) out.push(s);
    }
    return out;
  }

  private async loop(node: number): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      const partitions = this.fetchable(node);
      // Wake the application after this loop's next request is written (that happens within the
      // current microtasks), so the broker prepares the next response while records are decoded.
      this.signalData();
      if (partitions.length === 0) {
        // Nothing to ask this broker for now; exit when it leads nothing of ours.
        const leads = [...this.state.partitions.values()].some(
          (s) => this.cluster.leaderFor(s.topic, s.partition) === node,
        );
        if (!leads) return;
        await this.idle(1000);
        continue;
      }
      try {
        await this.fetchOnce(node, partitions);
        failures = 0;
      } catch (err) {
        this.signalData();
        if (this.closed) return;
        this.sessions.get(node)?.reset();
        this.options.logger.debug({ nodeId: node, err }, 'fetch failed');
        const retriable = err instanceof ClientError && err.retriable;
        await sleep(backoffMs(failures++, this.cluster.options.backoff));
        if (retriable || !(err instanceof ClientError)) await this.refreshMetadata();
        // Leaders may have moved: let other loops start.
        this.ensureFetching();
      }
    }
  }

  /** A failed refresh is retried with the next failed fetch; it is logged, not thrown into the loop. */
  private async refreshMetadata(): Promise<void> {
    try {
      await this.cluster.refreshMetadata();
    } catch (err) {
      this.options.logger.debug({ err }, 'metadata refresh after a failed fetch failed');
    }
  }

  private signalData(): void {
    if (!this.dataArrived) return;
    this.dataArrived = false;
    setImmediate(this.options.onData);
  }

  private async fetchOnce(node: number, partitions: PartitionState[]): Promise<void> {
    let session = this.sessions.get(node);
    if (!session) {
      session = new FetchSession();
      this.sessions.set(node, session);
    }
    const conn = this.cluster.connectionTo(node);
    await conn.connect(this.abort.signal);
    const version = conn.versionOf(Apis.Fetch.apiKey);
    if (version === undefined)
      throw new ClientError('UNSUPPORTED_API', `broker ${node} does not support Fetch`);
    const wanted: FetchWanted[] = partitions.map((s) => ({
      topic: s.topic,
      partition: s.partition,
      fetchOffset: s.fetchPosition!,
      maxBytes: this.options.maxPartitionFetchBytes,
    }));
    const asked = new Map(
      partitions.map((s) => [s.key, { state: s, offset: s.fetchPosition!, epoch: s.seekEpoch }]),
    );
    const plan = session.plan(wanted, version >= 7);
    const res = await conn.request(
      Apis.Fetch,
      {
        clusterId: null,
        replicaId: -1,
        replicaState: { replicaId: -1, replicaEpoch: -1n },
        maxWaitMs: this.options.fetchMaxWaitMs,
        minBytes: this.options.fetchMinBytes,
        maxBytes: this.options.fetchMaxBytes,
        isolationLevel: this.options.isolationLevel,
        sessionId: plan.sessionId,
        sessionEpoch: plan.sessionEpoch,
        topics: [...groupBy(plan.send, (w) => w.topic)].map(([topic, ps]) => ({
          topic,
          partitions: ps.map((p) => ({
            partition: p.partition,
            currentLeaderEpoch: -1,
            fetchOffset: p.fetchOffset,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: p.maxBytes,
          })),
        })),
        forgottenTopicsData: [...groupBy(plan.forget, (f) => f.topic)].map(([topic, ps]) => ({
          topic,
          partitions: ps.map((p) => p.partition),
        })),
        rackId: '',
      },
      {
        signal: this.abort.signal,
        timeoutMs: this.cluster.options.requestTimeoutMs + this.options.fetchMaxWaitMs,
      },
    );
    session.onResponse(res.errorCode, res.sessionId);
    if (res.errorCode !== 0) throw new KafkaError(res.errorCode, 'Fetch');
    let stale = false;
    for (const t of res.responses) {
      for (const p of t.partitions) {
        const a = asked.get(`${t.topic}\u0000${p.partitionIndex}`);
        // Dropped when the partition was revoked or sought since we asked.
        if (!a || this.state.get(t.topic, p.partitionIndex) !== a.state || a.state.seekEpoch !== a.epoch)
          continue;
        if (a.state.fetchPosition !== a.offset) continue;
        if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) await this.options.onOffsetOutOfRange(a.state);
        else if (p.errorCode !== 0) {
          stale = true;
          this.options.logger.debug(
            { topic: t.topic, partition: p.partitionIndex, errorCode: p.errorCode },
            'fetch error',
          );
        } else {
          // The end a consumer's lag is measured to: the last stable offset under read_committed.
          a.state.highWatermark = p.highWatermark;
          a.state.lastStableOffset = version >= 4 ? p.lastStableOffset : p.highWatermark;
          this.accept(a.state, a.offset, p, version);
        }
      }
    }
    if (stale) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'Fetch');
  }

  /**
   * Buffers a partition's records and moves its fetch position past them. Only the batch headers
   * are read here, for the next fetch offset; the records are decoded when the application takes
   * them (SubscriptionState.take), after the next fetch request is on its way.
   */
  private accept(
    s: PartitionState,
    fetchOffset: bigint,
    p: FetchResponsePartitionData,
    version: number,
  ): void {
    const data = p.records;
    if (!data || data.length === 0) return;
    const batches = version >= 4 ? splitBatches(data).batches : upConvertMessageSet(data);
    let next = fetchOffset;
    for (const raw of batches) {
      const end = lastOffsetOf(raw) + 1n;
      if (end > next) next = end;
    }
    if (batches.length === 0) return;
    s.fetchPosition = next;
    const abortedTransactions = p.abortedTransactions;
    // Under read_committed, aborted transactions are dropped here, as the Java consumer does.
    let aborted: AbortedTransactions | null = null;
    const readCommitted = this.options.isolationLevel === 1;
    let i = 0;
    this.state.buffer(
      s,
      () => {
        if (i === batches.length) return null;
        const raw = batches[i++]!;
        if (readCommitted) aborted ??= new AbortedTransactions(abortedTransactions);
        const records: ConsumerRecord[] = [];
        try {
          if (raw.length <= BatchOffsets.magic || raw[BatchOffsets.magic] !== 2) {
            // A legacy message set inside a v4+ response (an old log); convert it.
            for (const b of upConvertMessageSet(raw)) this.decodeBatch(s, b, fetchOffset, aborted, records);
          } else this.decodeBatch(s, raw, fetchOffset, aborted, records);
          return { records, error: null };
        } catch (err) {
          // Kafka's CorruptRecordException; the records of earlier batches were handed out already.
          const at = raw.length >= 8 ? raw.readBigInt64BE(0) : fetchOffset;
          const error = new ClientError(
            'KAFKA_ERROR',
            `corrupt record batch at ${s.topic}-${s.partition} offset ${at}`,
            { cause: err, retriable: false, kafkaCode: ErrorCode.CORRUPT_MESSAGE },
          );
          return { records: [], error };
        }
      },
      data.length,
      next,
    );
    this.dataArrived = true;
  }

  private decodeBatch(
    s: PartitionState,
    raw: Buffer,
    fetchOffset: bigint,
    aborted: AbortedTransactions | null,
    out: ConsumerRecord[],
  ): void {
    const batch = openRecordBatch(raw, this.openOptions);
    // Control batches (transaction markers) are never records for the application.
    if (aborted !== null ? aborted.skip(batch) : batch.control) return;
    appendConsumerRecords(batch, s.topic, s.partition, fetchOffset, out);
  }

  /** Resets every session, e.g. after an assignment change. */
  resetSessions(): void {
    for (const s of this.sessions.values()) s.reset();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    this.wake();
    await Promise.allSettled([...this.loops.values(), this.leaderRefresh]);
  }
}

function lastOffsetOf(batch: Buffer): bigint {
  if (batch.length > BatchOffsets.magic && batch[BatchOffsets.magic] === 2) {
    return (
      batch.readBigInt64BE(BatchOffsets.baseOffset) + BigInt(batch.readInt32BE(BatchOffsets.lastOffsetDelta))
    );
  }
  // A legacy message's offset is the last inner offset of a wrapper, the record's own otherwise.
  return batch.readBigInt64BE(0);
}
