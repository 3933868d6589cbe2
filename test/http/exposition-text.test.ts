import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { expositionText, type FamilySamples, SAMPLES_PER_SLICE } from '../../src/http/exposition-text.js';

describe('expositionText', () => {
  it("writes what prom-client's Registry writes for the same families, escapes included", async () => {
    const families: FamilySamples[] = [
      {
        name: 'kafka_log_log_size',
        help: "Bytes of a partition's log, with a \\ and a\nnewline in the help",
        type: 'gauge',
        values: [
          { labels: { topic: 'orders', partition: 0 }, value: 1024 },
          { labels: { topic: 'we"ird\\to\npic', partition: 12 }, value: 0.5 },
          { labels: {}, value: Number.NaN },
          { value: Number.POSITIVE_INFINITY },
          { labels: { a: 'x' }, value: Number.NEGATIVE_INFINITY },
        ],
      },
      { name: 'kafka_empty_total', help: 'no samples', type: 'counter', values: [] },
      { name: 'kafka_server_total', help: 'h', type: 'counter', values: [{ value: 3 }] },
    ];
    const registry = new Registry();
    for (const f of families) {
      registry.registerMetric({ ...f, get: () => ({ ...f, aggregator: 'sum' }), reset: () => {} } as never);
    }
    assert.equal(await expositionText(families), await registry.metrics());
  });

  it('yields to the event loop while it formats many samples', async () => {
    const values = Array.from({ length: SAMPLES_PER_SLICE * 5 }, (_, i) => ({
      labels: { partition: i },
      value: i,
    }));
    let turns = 0;
    let formatting = true;
    const ticker = (async () => {
      while (formatting) {
        await new Promise((r) => setImmediate(r));
        turns++;
      }
    })();
    const text = await expositionText([{ name: 'm', help: 'h', type: 'gauge', values }]);
    formatting = false;
    await ticker;
    assert.ok(turns >= 4, `other work ran ${turns} times while the text was formatted`);
    assert.equal(text.split('\n').length, values.length + 3);
  });
});
