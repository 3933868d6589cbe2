import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Producer } from '../../src/client/index.js';
import { RecordSender } from '../../src/streams/runtime/record-sender.js';

/**
 * A producer whose first record to each topic waits for that topic's metadata (a promise, as the
 * client's sendWithCallback returns), resolved by the test; records are "appended" to `log`.
 */
function fakeProducer() {
  const log: string[] = [];
  const known = new Set<string>();
  const pending: (() => void)[] = [];
  const producer = {
    sendWithCallback(topic: string, record: { value: Buffer | null }, cb: (err: Error | null) => void) {
      const append = () => {
        log.push(`${topic}:${record.value!.toString()}`);
        cb(null);
      };
      if (known.has(topic)) return void append();
      return new Promise<void>((resolve) =>
        pending.push(() => {
          known.add(topic);
          append();
          resolve();
        }),
      );
    },
    flush: async () => {},
  };
  return { producer: producer as unknown as Producer, log, release: () => pending.shift()?.() };
}

const rec = (topic: string, value: string) => ({
  topic,
  partition: undefined,
  key: null,
  value: Buffer.from(value),
  timestamp: 0,
  headers: [],
});

describe('RecordSender', () => {
  it('keeps the order records were written in when several of them wait for metadata', async () => {
    const { producer, log, release } = fakeProducer();
    const sender = new RecordSender(producer, () => null);
    sender.send(rec('a', '1')); // waits for a's metadata
    sender.send(rec('b', '2')); // waits for b's metadata, behind 1
    sender.send(rec('a', '3')); // a is known by then, but must stay behind 2
    const flushed = sender.flush();
    release();
    await new Promise((r) => setImmediate(r));
    release();
    await flushed;
    assert.deepEqual(log, ['a:1', 'b:2', 'a:3']);
  });
});
