import {
  type Compare,
  EtcdError,
  type EtcdKv,
  type KeyValue,
  type RangeRequest,
  type RangeResponse,
  type TxnOp,
  type TxnRequest,
  type TxnResponse,
  type WatchRequest,
} from '../../../src/metadata/etcd/etcd-kv.js';

interface Change {
  readonly revision: bigint;
  readonly key: string;
  readonly kv: KeyValue | null;
}

interface Watcher {
  readonly request: WatchRequest;
  readonly onEvents: (revision: bigint) => void;
  readonly onError: (err: EtcdError) => void;
  live: boolean;
}

/**
 * An in-memory etcd with etcd's MVCC semantics (one revision per write transaction, reads as of a
 * revision, compaction, watches from a revision) and switches for faults: `unavailable` fails every
 * request, `holdWatches` delays watch notifications until `releaseWatches()`. Deterministic:
 * notifications are delivered on microtasks, in order. Several clients share one store through
 * `client()`, each closed on its own.
 */
export class FakeEtcd {
  revision = 1n;
  compactedRevision = 0n;
  unavailable = false;
  holdWatches = false;
  /** Every write transaction's comparisons, in order: what a test checks guards against. */
  readonly txns: { compare: readonly Compare[]; succeeded: boolean }[] = [];
  private readonly history: Change[] = [];
  private readonly state = new Map<string, KeyValue>();
  private readonly watchers: Watcher[] = [];
  private held: (() => void)[] = [];
  /** The fake's clock, in ms: leases expire when `advance` moves it past their deadline. */
  nowMs = 0;
  private nextLeaseId = 1n;
  private readonly leases = new Map<bigint, { ttlSeconds: number; deadlineMs: number; keys: Set<string> }>();

  client(): EtcdKv {
    const mine: Watcher[] = [];
    return {
      range: async (r) => this.range(r),
      txn: async (t) => this.txn(t),
      watch: (r, onEvents, onError) => {
        const w = this.watch(r, onEvents, onError);
        mine.push(w);
        return { cancel: () => (w.live = false) };
      },
      leaseGrant: async (ttl) => this.leaseGrant(ttl),
      leaseKeepAlive: async (id) => this.leaseKeepAlive(id),
      leaseRevoke: async (id) => this.leaseRevoke(id),
      close: async () => {
        for (const w of mine) w.live = false;
      },
    };
  }

  releaseWatches(): void {
    const held = this.held;
    this.held = [];
    for (const f of held) f();
  }

  /** Moves the clock on; leases whose deadline passed expire, their keys deleted in one revision. */
  advance(ms: number): void {
    this.nowMs += ms;
    for (const [id, lease] of [...this.leases]) if (lease.deadlineMs <= this.nowMs) this.endLease(id);
  }

  private leaseGrant(ttlSeconds: number): { id: bigint; ttlSeconds: number } {
    this.check();
    const id = this.nextLeaseId++;
    const ttl = Math.max(2, ttlSeconds);
    this.leases.set(id, { ttlSeconds: ttl, deadlineMs: this.nowMs + ttl * 1000, keys: new Set() });
    return { id, ttlSeconds: ttl };
  }

  private leaseKeepAlive(id: bigint): number {
    this.check();
    const lease = this.leases.get(id);
    if (!lease) return 0;
    lease.deadlineMs = this.nowMs + lease.ttlSeconds * 1000;
    return lease.ttlSeconds;
  }

  private leaseRevoke(id: bigint): void {
    this.check();
    this.endLease(id);
  }

  private endLease(id: bigint): void {
    const lease = this.leases.get(id);
    if (!lease) return;
    this.leases.delete(id);
    const revision = this.revision + 1n;
    const gone: Buffer[] = [];
    for (const key of lease.keys) {
      const kv = this.state.get(key);
      if (!kv) continue;
      gone.push(...this.apply({ deleteRange: { key: kv.key } }, revision));
    }
    if (gone.length > 0) {
      this.revision = revision;
      this.notify(gone, revision);
    }
  }

  compact(revision: bigint): void {
    this.compactedRevision = revision;
    for (const w of this.watchers) {
      if (w.live && w.request.startRevision <= revision) {
        w.live = false;
        w.onError(new EtcdError('compacted', 11));
      }
    }
  }

  /** Every key with `prefix`, as strings, in key order. */
  keys(prefix: string): string[] {
    return [...this.state.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  private check(): void {
    if (this.unavailable) throw new EtcdError('etcd not reachable (fake)');
  }

  private range(r: RangeRequest): RangeResponse {
    this.check();
    if (r.revision !== undefined && r.revision <= this.compactedRevision)
      throw new EtcdError('etcdserver: mvcc: required revision has been compacted', 11);
    const state = r.revision === undefined ? this.state : this.stateAt(r.revision);
    let kvs = [...state.values()]
      .filter((kv) => inRange(kv.key, r.key, r.rangeEnd))
      .sort((a, b) => Buffer.compare(a.key, b.key));
    let more = false;
    if (r.limit !== undefined && r.limit > 0 && kvs.length > r.limit) {
      kvs = kvs.slice(0, r.limit);
      more = true;
    }
    return { revision: this.revision, kvs, more };
  }

  private stateAt(revision: bigint): Map<string, KeyValue> {
    const out = new Map<string, KeyValue>();
    for (const c of this.history) {
      if (c.revision > revision) break;
      if (c.kv) out.set(c.key, c.kv);
      else out.delete(c.key);
    }
    return out;
  }

  private txn(t: TxnRequest): TxnResponse {
    this.check();
    for (const op of t.success) {
      if ('put' in op && op.put.lease !== undefined && !this.leases.has(op.put.lease))
        throw new EtcdError('etcdserver: requested lease not found', 5);
    }
    const succeeded = t.compare.every((c) => this.compare(c));
    this.txns.push({ compare: t.compare, succeeded });
    const ops = succeeded ? t.success : (t.failure ?? []);
    const writes = ops.length > 0;
    if (writes) {
      const revision = this.revision + 1n;
      const changed: Buffer[] = [];
      for (const op of ops) changed.push(...this.apply(op, revision));
      if (changed.length > 0) {
        this.revision = revision;
        this.notify(changed, revision);
      }
    }
    return { succeeded, revision: this.revision };
  }

  private apply(op: TxnOp, revision: bigint): Buffer[] {
    if ('put' in op) {
      const key = op.put.key.toString('latin1');
      const old = this.state.get(key);
      const kv: KeyValue = {
        key: Buffer.from(op.put.key),
        value: Buffer.from(op.put.value),
        createRevision: old?.createRevision ?? revision,
        modRevision: revision,
        version: (old?.version ?? 0n) + 1n,
      };
      this.state.set(key, kv);
      this.history.push({ revision, key, kv });
      for (const lease of this.leases.values()) lease.keys.delete(key);
      if (op.put.lease !== undefined) this.leases.get(op.put.lease)?.keys.add(key);
      return [kv.key];
    }
    const gone: Buffer[] = [];
    for (const [key, kv] of [...this.state]) {
      if (!inRange(kv.key, op.deleteRange.key, op.deleteRange.rangeEnd)) continue;
      this.state.delete(key);
      this.history.push({ revision, key, kv: null });
      gone.push(kv.key);
    }
    return gone;
  }

  private compare(c: Compare): boolean {
    const kv = this.state.get(c.key.toString('latin1'));
    let order: number;
    if (c.target === 'VALUE') {
      if (!kv) return false;
      order = Buffer.compare(kv.value, c.value);
    } else {
      const actual =
        c.target === 'MOD'
          ? (kv?.modRevision ?? 0n)
          : c.target === 'CREATE'
            ? (kv?.createRevision ?? 0n)
            : (kv?.version ?? 0n);
      order = actual === c.revision ? 0 : actual < c.revision ? -1 : 1;
    }
    switch (c.result) {
      case 'EQUAL':
        return order === 0;
      case 'NOT_EQUAL':
        return order !== 0;
      case 'GREATER':
        return order > 0;
      case 'LESS':
        return order < 0;
    }
  }

  private watch(
    request: WatchRequest,
    onEvents: (revision: bigint) => void,
    onError: (err: EtcdError) => void,
  ): Watcher {
    const w: Watcher = { request, onEvents, onError, live: true };
    this.watchers.push(w);
    const start = request.startRevision === 0n ? this.revision + 1n : request.startRevision;
    queueMicrotask(() => {
      if (!w.live) return;
      if (start <= this.compactedRevision) {
        w.live = false;
        return onError(new EtcdError('compacted', 11));
      }
      const past = this.history.filter(
        (c) => c.revision >= start && inRange(Buffer.from(c.key, 'latin1'), request.key, request.rangeEnd),
      );
      if (past.length > 0) onEvents(past.at(-1)!.revision);
    });
    return w;
  }

  private notify(keys: Buffer[], revision: bigint): void {
    for (const w of this.watchers) {
      if (!w.live || revision < w.request.startRevision) continue;
      if (!keys.some((k) => inRange(k, w.request.key, w.request.rangeEnd))) continue;
      const deliver = (): void => {
        if (w.live) w.onEvents(revision);
      };
      if (this.holdWatches) this.held.push(deliver);
      else queueMicrotask(deliver);
    }
  }
}

function inRange(key: Buffer, start: Buffer, end: Buffer | undefined): boolean {
  if (!end) return key.equals(start);
  if (Buffer.compare(key, start) < 0) return false;
  // "\0" as range end means every key from start on, as in etcd.
  return (end.length === 1 && end[0] === 0) || Buffer.compare(key, end) < 0;
}
