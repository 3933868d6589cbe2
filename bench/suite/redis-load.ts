import { Redis } from 'ioredis';
import { LatencyRecorder, stampNowMs } from './latency.js';
import { pace } from './pacer.js';
import type { WorkerResult } from './worker-protocol.js';

/**
 * Redis Streams load with ioredis: XADD with pipelining (many commands outstanding on one
 * connection), and XREADGROUP with NOACK so the group's position moves like a Kafka offset
 * without a pending-entries list to maintain.
 */
export interface RedisProduceSpec {
  kind: 'redis-produce';
  host: string;
  port: number;
  stream: string;
  recordBytes: number;
  durationMs: number;
  rateBytesPerSec: number;
  window: number;
  /** Stop once this many bytes were sent (a backlog), even before durationMs. */
  bytesLimit?: number;
}

export async function redisProduce(spec: RedisProduceSpec, ready: () => void): Promise<WorkerResult> {
  const redis = new Redis({ host: spec.host, port: spec.port, lazyConnect: true });
  await redis.connect();
  let errors = 0;
  let firstError = '';
  ready();
  const r = await pace(
    {
      durationMs: spec.durationMs,
      rateBytesPerSec: spec.rateBytesPerSec,
      unitBytes: spec.recordBytes,
      window: spec.rateBytesPerSec > 0 ? 4096 : spec.window,
      ...(spec.bytesLimit ? { maxSends: Math.ceil(spec.bytesLimit / spec.recordBytes) } : {}),
    },
    async () => {
      const value = Buffer.alloc(spec.recordBytes, 97);
      value.writeDoubleLE(stampNowMs(), 0);
      try {
        await redis.xadd(spec.stream, '*', 'v', value);
      } catch (err) {
        errors++;
        firstError ||= (err as Error).message;
      }
    },
  );
  redis.disconnect();
  const ok = r.sends - errors;
  const note = firstError
    ? `${errors} failed: ${firstError}`
    : r.skipped
      ? `${r.skipped} sends skipped: fell behind`
      : undefined;
  return {
    bytes: ok * spec.recordBytes,
    messages: ok,
    seconds: r.seconds,
    errors: errors + r.skipped,
    ...(note ? { note } : {}),
  };
}

export interface RedisConsumeSpec {
  kind: 'redis-consume';
  host: string;
  port: number;
  stream: string;
  untilCaughtUp: boolean;
  latency: boolean;
}

export async function redisConsume(
  spec: RedisConsumeSpec,
  ready: () => void,
  stopRequested: () => boolean,
): Promise<WorkerResult> {
  const redis = new Redis({ host: spec.host, port: spec.port, lazyConnect: true });
  await redis.connect();
  await redis.xgroup('CREATE', spec.stream, 'bench', '0', 'MKSTREAM').catch(() => {
    // the group exists already: keep its position
  });
  const target = spec.untilCaughtUp ? await redis.xlen(spec.stream) : Infinity;
  const latency = new LatencyRecorder();
  let messages = 0;
  let bytes = 0;
  let t0 = 0;
  let lastDataAt = 0;
  ready();
  while (messages < target) {
    const res = (await redis.callBuffer(
      'XREADGROUP',
      'GROUP',
      'bench',
      'c1',
      'COUNT',
      '1000',
      'BLOCK',
      '100',
      'NOACK',
      'STREAMS',
      spec.stream,
      '>',
    )) as [Buffer, [Buffer, Buffer[]][]][] | null;
    const entries = res?.[0]?.[1] ?? [];
    if (entries.length === 0) {
      if (stopRequested()) break;
      continue;
    }
    if (t0 === 0) t0 = performance.now();
    lastDataAt = performance.now();
    for (const [, fields] of entries) {
      const value = fields[1]!;
      messages++;
      bytes += value.length;
      if (spec.latency) latency.record(value.readDoubleLE(0));
    }
  }
  redis.disconnect();
  const summary = latency.summary();
  return {
    bytes,
    messages,
    seconds: t0 === 0 ? 0 : (lastDataAt - t0) / 1000,
    errors: 0,
    ...(summary ? { latency: summary } : {}),
  };
}
