import { type EchoClientSpec, type EchoServerSpec, echoClient, echoServer } from './echo-load.js';
import { type KafkaConsumeSpec, type KafkaProduceSpec, kafkaConsume, kafkaProduce } from './kafka-load.js';
import {
  type NatsConsumeSpec,
  type NatsProduceSpec,
  type NatsSetupSpec,
  natsConsume,
  natsProduce,
  natsSetup,
} from './nats-load.js';
import { type RedisConsumeSpec, type RedisProduceSpec, redisConsume, redisProduce } from './redis-load.js';
import { READY_LINE, RESULT_PREFIX, type WorkerResult } from './worker-protocol.js';

/**
 * A load-generator process of the benchmark suite (see worker-protocol.ts). Generators run in
 * their own processes so that their CPU use is their own and several can run side by side.
 */
export type WorkerSpec =
  | KafkaProduceSpec
  | KafkaConsumeSpec
  | NatsSetupSpec
  | NatsProduceSpec
  | NatsConsumeSpec
  | RedisProduceSpec
  | RedisConsumeSpec
  | EchoServerSpec
  | EchoClientSpec;

async function run(spec: WorkerSpec): Promise<WorkerResult> {
  let stop = false;
  let onStop = (): void => {};
  const stopped = new Promise<void>((r) => {
    onStop = r;
  });
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => {
    if (d.includes('stop')) {
      stop = true;
      onStop();
    }
  });
  process.stdin.on('end', () => {
    stop = true;
    onStop();
  });
  const ready = (info = ''): void => {
    process.stdout.write(`${READY_LINE}${info ? ` ${info}` : ''}\n`);
  };
  const stopRequested = (): boolean => stop;
  switch (spec.kind) {
    case 'kafka-produce':
      return kafkaProduce(spec, ready);
    case 'kafka-consume':
      return kafkaConsume(spec, ready, stopRequested);
    case 'nats-setup':
      return natsSetup(spec);
    case 'nats-produce':
      return natsProduce(spec, ready);
    case 'nats-consume':
      return natsConsume(spec, ready, stopRequested);
    case 'redis-produce':
      return redisProduce(spec, ready);
    case 'redis-consume':
      return redisConsume(spec, ready, stopRequested);
    case 'echo-server':
      return echoServer(spec, ready, stopped);
    case 'echo-client':
      return echoClient(spec, ready);
  }
}

const spec = JSON.parse(process.argv[2] ?? '{}') as WorkerSpec;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
run(spec).then(
  (result) => {
    const cpu = process.cpuUsage(cpu0);
    const wallUs = (performance.now() - t0) * 1000;
    result.cpuPercent = ((cpu.user + cpu.system) / wallUs) * 100;
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    console.error(`load worker ${spec.kind} failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
