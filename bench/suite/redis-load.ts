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
  ready();
  const r = await pace(
    {
      durationMs: spec.durationMs,
      rateBytesPerSec: spec.rateBytesPerSec,
      unitBytes: spec.recordBytes,
      window: spec.rateBytesPerSec > 0 ? 65_536 : spec.window,
      ...(spec.bytesLimit ? { maxSends: Math.ceil(spec.bytesLimit / spec.recordBytes) } : {}),
    },
    async () => {
      const value = Buffer.alloc(spec.recordBytes, 97);
      value.writeDoubleLE(stampNowMs(), 0);
      await redis.xadd(spec.stream, '*', 'v', value);
    },
  );
  redis.disconnect();
  return { bytes: r.sends * spec.recordBytes, messages: r.sends, seconds: r.seconds, errors: r.skipped };
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
