import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { parseHistoryLines } from './history-checker.js';
import type { Driver, WorkloadOptions } from './workload.js';

/**
 * Real clients as drivers of the chaos workload, feeding the same history as Strom's own:
 * confluent-kafka-python (librdkafka) in a child process printing JSON lines of history events
 * (clients/chaos_client.py), and kafkajs in this process.
 */

/** From dist/test/chaos/ to the uncompiled script beside this file's source. */
const SCRIPT = fileURLToPath(new URL('../../../test/chaos/clients/chaos_client.py', import.meta.url));
const PYTHON = '/usr/bin/python3';
/** The script flushes for at most 35 s after SIGTERM; SIGKILL after this (its pending sends stay unrecorded and so are unexpected if written). */
const PYTHON_STOP_LIMIT_MS = 45_000;

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** confluent-kafka-python: `produce` (idempotent, acks=all) or `consume` (every partition from the start). */
export function startPythonDriver(mode: 'produce' | 'consume', name: string, o: WorkloadOptions): Driver {
  const child = spawn(PYTHON, [SCRIPT, mode, o.bootstrap, o.topic, String(o.partitions), name], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let partial = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const end = text.lastIndexOf('\n');
    partial = text.slice(end + 1);
    for (const e of parseHistoryLines(text.slice(0, end + 1))) o.history.add(e);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-8192);
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal ?? -1);
    }),
  );
  return {
    name,
    role: mode === 'produce' ? 'producer' : 'consumer',
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), PYTHON_STOP_LIMIT_MS);
        await exited;
        clearTimeout(timer);
      }
      const code = await exited;
      if (code !== 0)
        throw new Error(`${name} (confluent-kafka-python ${mode}) exited with ${code}:\n${err}`);
    },
  };
}

function kafkajsClient(o: WorkloadOptions, clientId: string): Kafka {
  return new Kafka({
    brokers: o.bootstrap.split(','),
    clientId,
    logLevel: logLevel.NOTHING,
    requestTimeout: 5000,
    connectionTimeout: 2000,
    retry: { retries: 10, maxRetryTime: 2000 },
  });
}

/** A kafkajs idempotent producer (one request in flight, as kafkajs requires for idempotence), acks=all. */
export function startKafkajsProducer(name: string, o: WorkloadOptions): Driver {
  const producer = kafkajsClient(o, name).producer({ idempotent: true, maxInFlightRequests: 1 });
  let running = true;
  const loop = (async () => {
    let connected = false;
    let seq = 0;
    while (running) {
      if (!connected) {
        connected = await producer.connect().then(
          () => true,
          () => false,
        );
        if (!connected) await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      const value = `${name}:${seq}`;
      const partition = seq % o.partitions;
      seq++;
      try {
        const [meta] = await producer.send({ topic: o.topic, acks: -1, messages: [{ partition, value }] });
        o.history.add({
          type: 'produce',
          client: name,
          value,
          partition,
          outcome: 'acked',
          offset: String(meta!.baseOffset),
        });
      } catch {
        o.history.add({ type: 'produce', client: name, value, partition, outcome: 'unknown' });
      }
      await new Promise((r) => setTimeout(r, o.pauseMs ?? 5));
    }
  })();
  return {
    name,
    role: 'producer',
    async stop() {
      running = false;
      await loop;
      await producer.disconnect().catch(() => undefined);
    },
  };
}

/** A kafkajs group consumer (kafkajs has no other) reading the topic from the start. */
export function startKafkajsConsumer(name: string, o: WorkloadOptions): Driver {
  const consumer = kafkajsClient(o, name).consumer({ groupId: `${name}-${o.topic}`, sessionTimeout: 10_000 });
  const started = (async () => {
    await consumer.connect();
    await consumer.subscribe({ topic: o.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        o.history.add({
          type: 'read',
          client: name,
          value: message.value?.toString() ?? '',
          partition,
          offset: message.offset,
        });
      },
    });
  })().catch(() => undefined);
  return {
    name,
    role: 'consumer',
    async stop() {
      await started;
      await consumer.disconnect().catch(() => undefined);
    },
  };
}
