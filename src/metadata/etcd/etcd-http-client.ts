import type { Logger } from '../../common/logger.js';
import {
  type Compare,
  EtcdError,
  type EtcdKv,
  type EtcdWatch,
  type KeyValue,
  type RangeRequest,
  type RangeResponse,
  type TxnOp,
  type TxnRequest,
  type TxnResponse,
  type WatchRequest,
} from './etcd-kv.js';

/**
 * etcd's v3 API through its HTTP/JSON gateway (`/v3/kv/range`, `/v3/kv/txn`, `/v3/watch`), which
 * every etcd 3.4+ server serves on its client port beside gRPC: bytes are base64, 64-bit numbers
 * are strings. Node's own `fetch` is the whole transport, so the cluster needs no gRPC stack.
 * Endpoints are tried in order; the first that answers is kept until it fails.
 */
export class EtcdHttpClient implements EtcdKv {
  private current = 0;
  private readonly watches = new Set<AbortController>();

  constructor(
    private readonly endpoints: readonly string[],
    private readonly logger: Logger,
    private readonly requestTimeoutMs = 5000,
  ) {
    if (endpoints.length === 0) throw new EtcdError('no etcd endpoint given');
  }

  async range(request: RangeRequest): Promise<RangeResponse> {
    const body: Record<string, unknown> = { key: b64(request.key) };
    if (request.rangeEnd) body.range_end = b64(request.rangeEnd);
    if (request.revision !== undefined) body.revision = request.revision.toString();
    if (request.limit !== undefined) body.limit = String(request.limit);
    const res = (await this.call('/v3/kv/range', body)) as GatewayRange;
    return {
      revision: BigInt(res.header?.revision ?? '0'),
      kvs: (res.kvs ?? []).map(keyValue),
      more: res.more === true,
    };
  }

  async txn(request: TxnRequest): Promise<TxnResponse> {
    const res = (await this.call('/v3/kv/txn', {
      compare: request.compare.map(compareJson),
      success: request.success.map(opJson),
      failure: (request.failure ?? []).map(opJson),
    })) as { header?: { revision?: string }; succeeded?: boolean };
    return { succeeded: res.succeeded === true, revision: BigInt(res.header?.revision ?? '0') };
  }

  watch(
    request: WatchRequest,
    onEvents: (revision: bigint) => void,
    onError: (err: EtcdError) => void,
  ): EtcdWatch {
    const abort = new AbortController();
    this.watches.add(abort);
    const create: Record<string, unknown> = {
      key: b64(request.key),
      start_revision: request.startRevision.toString(),
    };
    if (request.rangeEnd) create.range_end = b64(request.rangeEnd);
    const endpoint = this.endpoints[this.current]!;
    let ended = false;
    const end = (err: EtcdError): void => {
      if (ended || abort.signal.aborted) return;
      ended = true;
      this.watches.delete(abort);
      abort.abort();
      onError(err);
    };
    const run = async (): Promise<void> => {
      const res = await fetch(`${endpoint}/v3/watch`, {
        method: 'POST',
        body: JSON.stringify({ create_request: create }),
        signal: abort.signal,
      });
      if (!res.ok || !res.body) throw new EtcdError(`etcd watch at ${endpoint} answered HTTP ${res.status}`);
      const decoder = new TextDecoder();
      let pending = '';
      for await (const chunk of res.body) {
        pending += decoder.decode(chunk as Uint8Array, { stream: true });
        for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line !== '') this.watchLine(line, onEvents, end);
        }
      }
      end(new EtcdError(`etcd watch at ${endpoint} ended`));
    };
    run().catch((err: unknown) =>
      end(
        err instanceof EtcdError
          ? err
          : new EtcdError(`etcd watch at ${endpoint} failed`, undefined, { cause: err }),
      ),
    );
    return {
      cancel: () => {
        ended = true;
        this.watches.delete(abort);
        abort.abort();
      },
    };
  }

  private watchLine(line: string, onEvents: (revision: bigint) => void, end: (err: EtcdError) => void): void {
    const msg = JSON.parse(line) as {
      result?: {
        header?: { revision?: string };
        events?: unknown[];
        canceled?: boolean;
        compact_revision?: string;
      };
      error?: { message?: string; grpc_code?: number; http_code?: number };
    };
    const result = msg.result;
    if (msg.error || !result) {
      end(new EtcdError(`etcd watch failed: ${msg.error?.message ?? 'no result'}`, msg.error?.grpc_code));
    } else if (result.canceled) {
      const compacted = result.compact_revision !== undefined && result.compact_revision !== '0';
      const why = compacted ? `revision compacted (compact revision ${result.compact_revision})` : 'canceled';
      end(new EtcdError(`etcd watch ${why}`, compacted ? 11 : undefined));
    } else if (result.events && result.events.length > 0) {
      onEvents(BigInt(result.header?.revision ?? '0'));
    }
  }

  async leaseGrant(ttlSeconds: number): Promise<{ id: bigint; ttlSeconds: number }> {
    const res = (await this.call('/v3/lease/grant', { TTL: String(ttlSeconds) })) as {
      ID?: string;
      TTL?: string;
    };
    return { id: BigInt(res.ID ?? '0'), ttlSeconds: Number(res.TTL ?? '0') };
  }

  async leaseKeepAlive(id: bigint): Promise<number> {
    // A stream in gRPC; through the gateway one request gives one result line, then the answer ends.
    const res = (await this.call('/v3/lease/keepalive', { ID: id.toString() })) as {
      result?: { TTL?: string };
    };
    return Number(res.result?.TTL ?? '0');
  }

  async leaseRevoke(id: bigint): Promise<void> {
    try {
      await this.call('/v3/lease/revoke', { ID: id.toString() });
    } catch (err) {
      // gRPC NOT_FOUND: the lease expired already, which is what revoking wanted.
      if (!(err instanceof EtcdError && err.grpcCode === 5)) throw err;
    }
  }

  private async call(path: string, body: unknown): Promise<unknown> {
    let lastError: unknown;
    for (let tried = 0; tried < this.endpoints.length; tried++) {
      const index = (this.current + tried) % this.endpoints.length;
      const endpoint = this.endpoints[index]!;
      let res: Response;
      try {
        res = await fetch(`${endpoint}${path}`, {
          method: 'POST',
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.requestTimeoutMs),
        });
      } catch (err) {
        // Not reached, or no answer in time: the next endpoint may be alive.
        lastError = err;
        this.logger.debug({ endpoint, err }, 'etcd endpoint did not answer');
        continue;
      }
      this.current = index;
      const json = (await res.json()) as { error?: string; message?: string; code?: number };
      if (!res.ok || json.error !== undefined) {
        throw new EtcdError(
          `etcd ${path} failed: ${json.message ?? json.error ?? `HTTP ${res.status}`}`,
          json.code,
        );
      }
      return json;
    }
    throw new EtcdError(`etcd not reachable at ${this.endpoints.join(',')}`, undefined, { cause: lastError });
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.abort();
    this.watches.clear();
  }
}

interface GatewayKv {
  key?: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
  version?: string;
}
interface GatewayRange {
  header?: { revision?: string };
  kvs?: GatewayKv[];
  more?: boolean;
}

const b64 = (b: Buffer): string => b.toString('base64');

function keyValue(kv: GatewayKv): KeyValue {
  return {
    key: Buffer.from(kv.key ?? '', 'base64'),
    value: Buffer.from(kv.value ?? '', 'base64'),
    createRevision: BigInt(kv.create_revision ?? '0'),
    modRevision: BigInt(kv.mod_revision ?? '0'),
    version: BigInt(kv.version ?? '0'),
  };
}

function compareJson(c: Compare): Record<string, unknown> {
  const out: Record<string, unknown> = { key: b64(c.key), target: c.target, result: c.result };
  if (c.target === 'VALUE') out.value = b64(c.value);
  else if (c.target === 'MOD') out.mod_revision = c.revision.toString();
  else if (c.target === 'CREATE') out.create_revision = c.revision.toString();
  else out.version = c.revision.toString();
  return out;
}

function opJson(op: TxnOp): Record<string, unknown> {
  if ('put' in op) {
    const put: Record<string, unknown> = { key: b64(op.put.key), value: b64(op.put.value) };
    if (op.put.lease !== undefined) put.lease = op.put.lease.toString();
    return { request_put: put };
  }
  const del: Record<string, unknown> = { key: b64(op.deleteRange.key) };
  if (op.deleteRange.rangeEnd) del.range_end = b64(op.deleteRange.rangeEnd);
  return { request_delete_range: del };
}
