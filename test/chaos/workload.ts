import { ClientError } from '../../src/client/client-error.js';
import { Kafka } from '../../src/client/index.js';
import { noopLogger } from '../../src/common/logger.js';
import type { HistoryEvent, ProduceOutcome } from './history-checker.js';

/**
 * The chaos workload's drivers on Strom's own client: idempotent acks=all producers that send
 * unique values (`<driver>:<seq>`) round-robin over the partitions and record every outcome, and
 * consumers that read every partition from the start and record every record. The final read
 * (`drainTopic`) reads each partition from its log start to its end after the faults healed.
 * Every driver is bounded: at most `inFlight` sends pending, stopped by `stop()`.
 */

export class History {
  readonly events: HistoryEvent[] = [];
  add(e: HistoryEvent): void {
    this.events.push(e);
  }
}

export interface Driver {
  readonly name: string;
  readonly role: 'producer' | 'consumer';
  /** Stops sending or reading and waits (bounded) for what is pending to resolve. */
  stop(): Promise<void>;
}

/** Errors raised before a record left the client: it certainly was not written. */
const NEVER_SENT = new Set(['BUFFER_EXHAUSTED', 'CLIENT_CLOSED', 'INVALID_ARGUMENT', 'RECORD_TOO_LARGE']);

function outcomeOf(err: unknown): ProduceOutcome {
  return err instanceof ClientError && NEVER_SENT.has(err.code) ? 'failed' : 'unknown';
}

export interface WorkloadOptions {
  bootstrap: string;
  topic: string;
  partitions: number;
  history: History;
  /** Sends pending at once per producer (default 8). */
  inFlight?: number;
  /** A pause between sends, so a trial writes thousands of records rather than millions (default 5 ms). */
  pauseMs?: number;
}

function stromClient(bootstrap: string, clientId: string): Kafka {
  return new Kafka({
    bootstrapServers: bootstrap,
    clientId,
    logger: noopLogger,
    requestTimeoutMs: 5000,
    connectTimeoutMs: 2000,
    retries: 1_000_000,
    retryBackoffMaxMs: 500,
  });
}

/** An idempotent acks=all producer of Strom's client. */
export function startStromProducer(name: string, o: WorkloadOptions): Driver {
  const producer = stromClient(o.bootstrap, name).producer({
    acks: 'all',
    idempotent: true,
    lingerMs: 2,
    requestTimeoutMs: 5000,
    // Bounds how long a record can stay unknown after the faults heal.
    deliveryTimeoutMs: 30_000,
  });
  const inFlight = o.inFlight ?? 8;
  const pauseMs = o.pauseMs ?? 5;
  let running = true;
  let seq = 0;
  const pending = new Set<Promise<void>>();
  const send = (): Promise<void> => {
    const value = `${name}:${seq}`;
    const partition = seq % o.partitions;
    seq++;
    return producer.send(o.topic, { partition, value }).then(
      (m) =>
        o.history.add({
          type: 'produce',
          client: name,
          value,
          partition,
          outcome: 'acked',
          offset: m.offset.toString(),
        }),
      (err: unknown) =>
        o.history.add({ type: 'produce', client: name, value, partition, outcome: outcomeOf(err) }),
    );
  };
  const loop = (async () => {
    while (running) {
      if (pending.size >= inFlight) {
        await Promise.race(pending);
        continue;
      }
      const p = send();
      pending.add(p);
      void p.finally(() => pending.delete(p));
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();
  return {
    name,
    role: 'producer',
    async stop() {
      running = false;
      await loop;
      // Every pending send resolves within the delivery timeout; close() waits for them.
      await Promise.all(pending);
      await producer.close();
    },
  };
}

/** A consumer of Strom's client reading every partition from the start (no group: assign). */
export function startStromConsumer(name: string, o: WorkloadOptions): Driver {
  const consumer = stromClient(o.bootstrap, name).consumer({ autoOffsetReset: 'earliest' });
  consumer.assign(Array.from({ length: o.partitions }, (_, partition) => ({ topic: o.topic, partition })));
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        for (const r of await consumer.poll({ timeoutMs: 200 })) {
          o.history.add({
            type: 'read',
            client: name,
            value: r.value?.toString() ?? '',
            partition: r.partition,
            offset: r.offset.toString(),
          });
        }
      } catch {
        // A fault under way: poll again (the consumer keeps its positions).
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  })();
  return {
    name,
    role: 'consumer',
    async stop() {
      running = false;
      await loop;
      await consumer.close();
    },
  };
}

/**
 * The final read: every partition from its log start to its end offset (the high watermark),
 * recorded as `final` events. Bounded by `limitMs`; throws if a partition cannot be read to its end.
 */
export async function drainTopic(
  bootstrap: string,
  topic: string,
  partitions: number,
  history: History,
  limitMs = 60_000,
): Promise<void> {
  const kafka = stromClient(bootstrap, 'chaos-checker');
  const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
  const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
  try {
    consumer.assign(tps);
    const signal = AbortSignal.timeout(limitMs);
    await consumer.seekToEnd(tps, signal);
    const ends = tps.map((tp) => consumer.position(tp) ?? 0n);
    await consumer.seekToBeginning(tps, signal);
    const deadline = Date.now() + limitMs;
    const done = (): boolean => tps.every((tp, i) => (consumer.position(tp) ?? -1n) >= ends[i]!);
    while (!done()) {
      if (Date.now() > deadline) {
        const where = tps
          .map((tp, i) => `${tp.partition}: ${consumer.position(tp)} of ${ends[i]}`)
          .join(', ');
        throw new Error(`the final read did not reach every partition's end within ${limitMs} ms (${where})`);
      }
      for (const r of await consumer.poll({ timeoutMs: 500 })) {
        history.add({
          type: 'final',
          client: 'checker',
          value: r.value?.toString() ?? '',
          partition: r.partition,
          offset: r.offset.toString(),
        });
      }
    }
  } finally {
    await consumer.close();
  }
}
