// Child process for streams-eos-crash.test.ts: one instance of an exactly_once_v2 Strom Streams
// application. The topology echoes each input record to `<echo>` ("out-<value>") and counts the
// records per key through a repartition topic into `<counts>`. It prints "state <S>" on each
// state change, "tasks <ids>" when it runs, "processed <n>" every 50 records this process
// processed, and its warnings as "log <json>". With `stallAt`, the event loop is blocked for
// `stallMs` at that record (a thread that stops past its session and transaction timeouts). On
// SIGTERM it closes and prints "closed".
import { jsonLinesLogger } from '../../src/common/logger.js';
import { KafkaStreams, Serdes, StreamsBuilder } from '../../src/streams/index.js';

interface ChildConfig {
  bootstrap: string;
  applicationId: string;
  input: string;
  echo: string;
  counts: string;
  sessionTimeoutMs: number;
  transactionTimeoutMs: number;
  stateDir: string;
  stallAt?: number;
  stallMs?: number;
}

const config = JSON.parse(process.argv[2]!) as ChildConfig;
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

let processed = 0;
const builder = new StreamsBuilder();
const lines = builder.stream(config.input, { key: Serdes.String, value: Serdes.String }).peek(() => {
  processed++;
  if (processed % 50 === 0) say(`processed ${processed}`);
  if (processed === config.stallAt)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, config.stallMs ?? 0);
});
lines.mapValues((v) => `out-${v}`).to(config.echo, { key: Serdes.String, value: Serdes.String });
lines
  .groupBy((k) => k, { key: Serdes.String, value: Serdes.String })
  .count({ name: 'counts' })
  .toStream()
  .to(config.counts, { key: Serdes.String, value: Serdes.Long });

const streams = new KafkaStreams(builder.build(), {
  applicationId: config.applicationId,
  bootstrapServers: config.bootstrap,
  processingGuarantee: 'exactly_once_v2',
  sessionTimeoutMs: config.sessionTimeoutMs,
  heartbeatIntervalMs: Math.floor(config.sessionTimeoutMs / 4),
  transactionTimeoutMs: config.transactionTimeoutMs,
  stateDir: config.stateDir,
  logger: jsonLinesLogger((line) => say(`log ${line.trimEnd()}`), 'warn'),
});
streams.onStateChange((next) => {
  say(`state ${next}`);
  if (next === 'RUNNING') say(`tasks ${streams.localTaskIds().sort().join(',')}`);
});
process.on('SIGTERM', () => {
  void streams.close().then(() => {
    say('closed');
    process.exit(0);
  });
});
await streams.start();
