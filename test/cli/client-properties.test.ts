import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consumerConfigFrom, producerConfigFrom } from '../../src/cli/client-properties.js';

const props = (entries: [string, string][]) => new Map(entries);

describe('Kafka client properties on the command line', () => {
  it('maps consumer keys to the client config, check.crcs included', () => {
    assert.deepEqual(
      consumerConfigFrom(
        props([
          ['group.id', 'g'],
          ['max.partition.fetch.bytes', '2097152'],
          ['isolation.level', 'read_committed'],
          ['check.crcs', 'false'],
          ['bootstrap.servers', 'ignored:9092'],
        ]),
      ),
      { groupId: 'g', maxPartitionFetchBytes: 2097152, isolationLevel: 'read_committed', checkCrcs: false },
    );
  });

  it('rejects bad values and unknown keys with a usage error naming the key', () => {
    assert.throws(
      () => consumerConfigFrom(props([['check.crcs', 'yes']])),
      /check\.crcs must be true or false/,
    );
    assert.throws(
      () => consumerConfigFrom(props([['fetch.min.bytes', '1k']])),
      /fetch\.min\.bytes must be an integer/,
    );
    assert.throws(
      () => consumerConfigFrom(props([['no.such.key', '1']])),
      /unsupported consumer property 'no\.such\.key'/,
    );
    assert.throws(() => producerConfigFrom(props([['acks', '2']])), /acks must be 0, 1, -1 or all/);
  });
});
