import type { Producer } from '../src/client/index.js';

/**
 * The producer loop several bench scripts time: `window` concurrent senders each sending batches of
 * `chunk` records of `valueBytes` bytes until `records` have been sent. One warm-up record goes
 * first, so metadata, the producer id and connections are set up before the clock starts.
 * Returns records per second; the producer is closed afterwards.
 */
export interface ProduceRateOptions {
  records: number;
  valueBytes?: number;
  chunk?: number;
  window?: number;
}

export async function produceRate(
  producer: Producer,
  topic: string,
  options: ProduceRateOptions,
): Promise<number> {
  const { records, valueBytes = 1024, chunk: chunkSize = 100, window = 32 } = options;
  const chunk = Array.from({ length: chunkSize }, () => ({ value: Buffer.alloc(valueBytes, 7) }));
  await producer.send(topic, { value: 'warm-up' });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (next < records) {
        const n = Math.min(chunkSize, records - next);
        next += n;
        await producer.sendBatch(topic, n === chunkSize ? chunk : chunk.slice(0, n));
      }
    }),
  );
  const rate = records / ((performance.now() - t0) / 1000);
  await producer.close();
  return rate;
}
