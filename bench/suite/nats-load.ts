import { AckPolicy, connect, DeliverPolicy, StorageType } from 'nats';
import { LatencyRecorder, stampNowMs } from './latency.js';
import { pace } from './pacer.js';
import type { WorkerResult } from './worker-protocol.js';

/**
 * NATS JetStream load with the `nats` client: publishes wait for the stream's acknowledgement
 * (the equivalent of acks=1 on a single server), and a pull consumer with no acknowledgements
 * tracks its position like a Kafka consumer's offset.
 */
export interface NatsSetupSpec {
  kind: 'nats-setup';
  url: string;
  stream: string;
}

export async function natsSetup(spec: NatsSetupSpec): Promise<WorkerResult> {
  const nc = await connect({ servers: spec.url });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: spec.stream, subjects: [`${spec.stream}.>`], storage: StorageType.File });
  await jsm.consumers.add(spec.stream, {
    durable_name: 'bench',
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
  });
  await nc.close();
  return { bytes: 0, messages: 0, seconds: 0, errors: 0 };
}

export interface NatsProduceSpec {
  kind: 'nats-produce';
  url: string;
  stream: string;
  recordBytes: number;
  durationMs: number;
  rateBytesPerSec: number;
  window: number;
  /** Stop once this many bytes were sent (a backlog), even before durationMs. */
  bytesLimit?: number;
}

export async function natsProduce(spec: NatsProduceSpec, ready: () => void): Promise<WorkerResult> {
  const nc = await connect({ servers: spec.url });
  const js = nc.jetstream();
  const subject = `${spec.stream}.data`;
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
        await js.publish(subject, value, { timeout: 30_000 });
      } catch (err) {
        // A server that falls far behind a fixed rate times requests out: count them, carry on.
        errors++;
        firstError ||= (err as Error).message;
      }
    },
  );
  await nc.close();
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

export interface NatsConsumeSpec {
  kind: 'nats-consume';
  url: string;
  stream: string;
  untilCaughtUp: boolean;
  latency: boolean;
}

export async function natsConsume(
  spec: NatsConsumeSpec,
  ready: () => void,
  stopRequested: () => boolean,
): Promise<WorkerResult> {
  const nc = await connect({ servers: spec.url });
  const js = nc.jetstream();
  const jsm = await nc.jetstreamManager();
  const target = spec.untilCaughtUp ? (await jsm.streams.info(spec.stream)).state.messages : Infinity;
  const consumer = await js.consumers.get(spec.stream, 'bench');
  const latency = new LatencyRecorder();
  let messages = 0;
  let bytes = 0;
  let t0 = 0;
  let lastDataAt = performance.now();
  const messagesIter = await consumer.consume({ max_messages: 4096, idle_heartbeat: 1000 });
  ready();
  const watchdog = setInterval(() => {
    if (stopRequested() && performance.now() - lastDataAt > 300) messagesIter.stop();
  }, 50);
  for await (const m of messagesIter) {
    if (t0 === 0) t0 = performance.now();
    lastDataAt = performance.now();
    messages++;
    bytes += m.data.length;
    if (spec.latency) latency.record(Buffer.from(m.data.buffer, m.data.byteOffset, 8).readDoubleLE(0));
    if (messages >= target) break;
  }
  clearInterval(watchdog);
  await nc.close();
  const summary = latency.summary();
  return {
    bytes,
    messages,
    seconds: t0 === 0 ? 0 : (lastDataAt - t0) / 1000,
    errors: 0,
    ...(summary ? { latency: summary } : {}),
  };
}
