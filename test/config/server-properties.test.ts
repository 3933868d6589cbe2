import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { BrokerConfig } from '../../src/broker/config/broker-config.js';
import { parseProperties } from '../../src/common/properties.js';
import { freePort, startServerProcess } from '../helpers/server-process.js';

/** The sample shipped with the package, as `strom server --config config/server.properties` reads it. */
const SAMPLE = resolve(process.cwd(), 'config/server.properties');

/** Keys set to the value of Kafka's own sample file where that differs from the default. */
const KAFKA_SAMPLE_VALUES: ReadonlyMap<string, string> = new Map([
  ['offsets.topic.replication.factor', '1'],
  ['log.dirs', 'strom-data'],
]);

describe('config/server.properties', () => {
  it('sets only keys Strom honours, each to its default or to the value of Kafka’s sample', () => {
    const config = BrokerConfig.load({ file: SAMPLE });
    assert.deepEqual(config.warnings, []);
    const defaults = BrokerConfig.load({});
    const set = parseProperties(readFileSync(SAMPLE, 'utf8'));
    assert.ok(set.size >= 10, 'the sample sets the usual keys');
    for (const [key, value] of set) {
      if (KAFKA_SAMPLE_VALUES.has(key)) {
        assert.equal(value, KAFKA_SAMPLE_VALUES.get(key), key);
        continue;
      }
      assert.deepEqual(config.values.get(key), defaults.values.get(key), `${key} differs from its default`);
    }
    // The log directory a plain `strom server` uses (./strom-data), whichever key names it.
    assert.deepEqual(config.logDirs, ['strom-data']);
  });

  it('starts a broker with strom server --config config/server.properties', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strom-sample-config-'));
    try {
      const port = await freePort();
      const s = await startServerProcess(
        [
          '--config',
          SAMPLE,
          '--override',
          `listeners=PLAINTEXT://127.0.0.1:${port}`,
          '--override',
          `log.dirs=${join(dir, 'data')}`,
        ],
        port,
      );
      assert.doesNotMatch(s.output(), /unknown configuration key/);
      s.child.kill('SIGTERM');
      assert.equal(await s.exited, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
