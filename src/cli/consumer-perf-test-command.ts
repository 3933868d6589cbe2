import type { Command } from 'commander';
import {
  type ConnectionOptions,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import { parseIntOption } from './key-values.js';
import { ProgressLine } from './progress-line.js';

interface ConsumerPerfOptions extends ConnectionOptions {
  topic: string;
  messages: string;
  group?: string;
  timeout: string;
  fromLatest?: boolean;
  json?: boolean;
}

export function registerConsumerPerfTestCommand(program: Command, done: (code: number) => void): void {
  connectionOptions(
    program
      .command('consumer-perf-test')
      .description("Measure consumer throughput (Kafka's kafka-consumer-perf-test.sh)"),
  )
    .requiredOption('--topic <topic>', 'topic to read')
    .requiredOption('--messages <n>', 'how many records to read')
    .option('--group <group>', 'consumer group to join (without it, every partition is assigned directly)')
    .option('--timeout <ms>', 'give up when no record arrives for this long', '10000')
    .option('--from-latest', 'start at the end of the log instead of the beginning')
    .option('--json', 'print the figures as JSON')
    .addHelpText(
      'after',
      `
Prints Kafka's header and figures line; a live progress line appears only on a terminal.

Examples:
  strom consumer-perf-test --topic perf --messages 100000
  strom consumer-perf-test --topic perf --messages 100000 --group perf-readers`,
    )
    .action(commandAction(done, runConsumerPerfTest));
}

/** Kafka's "yyyy-MM-dd HH:mm:ss:SSS" in local time. */
export function kafkaDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}:${p(d.getMilliseconds(), 3)}`;
}

async function runConsumerPerfTest(opts: ConsumerPerfOptions): Promise<undefined> {
  const messages = parseIntOption(opts.messages, '--messages', 1);
  const timeoutMs = parseIntOption(opts.timeout, '--timeout', 1);
  const kafka = kafkaFor(opts, 'consumer-perf-test');
  const consumer = kafka.consumer({
    autoOffsetReset: opts.fromLatest ? 'latest' : 'earliest',
    ...(opts.group === undefined ? {} : { groupId: opts.group }),
  });
  const progress = new ProgressLine();
  const startWall = Date.now();
  const start = performance.now();
  let joined = start;
  let count = 0;
  let bytes = 0;
  try {
    if (opts.group === undefined) {
      const admin = kafka.admin();
      try {
        const [info] = await admin.describeTopics([opts.topic]);
        consumer.assign(info!.partitions.map((p) => ({ topic: opts.topic, partition: p.partition })));
      } finally {
        await admin.close();
      }
    } else {
      consumer.subscribe(opts.topic);
    }
    let lastRecord = performance.now();
    let lastProgress = lastRecord;
    while (count < messages) {
      const records = await consumer.poll({ maxRecords: Math.min(500, messages - count), timeoutMs: 1000 });
      const now = performance.now();
      if (records.length === 0) {
        if (now - lastRecord >= timeoutMs) break;
        continue;
      }
      // The first records mark the end of joining and assignment (Kafka's rebalance.time.ms).
      if (count === 0) joined = now;
      lastRecord = now;
      count += records.length;
      for (const r of records) bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
      if (now - lastProgress >= 1000) {
        progress.update(`${count} records, ${(bytes / 1048576).toFixed(2)} MB`);
        lastProgress = now;
      }
    }
  } finally {
    progress.clear();
    await consumer.close();
  }
  const end = performance.now();
  const totalSecs = (end - start) / 1000;
  const fetchSecs = (end - joined) / 1000;
  const mb = bytes / 1048576;
  const figures = {
    startTime: kafkaDate(startWall),
    endTime: kafkaDate(startWall + (end - start)),
    dataConsumedMB: mb,
    mbPerSec: mb / totalSecs,
    dataConsumedMsgs: count,
    msgsPerSec: count / totalSecs,
    rebalanceTimeMs: Math.round(joined - start),
    fetchTimeMs: Math.round(end - joined),
    fetchMbPerSec: fetchSecs > 0 ? mb / fetchSecs : 0,
    fetchMsgsPerSec: fetchSecs > 0 ? count / fetchSecs : 0,
  };
  if (count < messages) {
    process.stderr.write(
      `WARNING: Exiting before consuming the expected number of messages: timeout (${timeoutMs} ms) exceeded.\n`,
    );
  }
  await writeOut(
    opts.json
      ? `${JSON.stringify(figures)}\n`
      : 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n' +
          `${figures.startTime}, ${figures.endTime}, ${mb.toFixed(4)}, ${figures.mbPerSec.toFixed(4)}, ${count}, ${figures.msgsPerSec.toFixed(4)}, ${figures.rebalanceTimeMs}, ${figures.fetchTimeMs}, ${figures.fetchMbPerSec.toFixed(4)}, ${figures.fetchMsgsPerSec.toFixed(4)}\n`,
  );
  return undefined;
}
