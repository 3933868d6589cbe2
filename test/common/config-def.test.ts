import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigDef,
  type ConfigKeyDef,
  type ConfigValuesOf,
  InvalidConfigError,
} from '../../src/common/config-def.js';
import { TOPIC_CONFIG_DEF } from '../../src/metadata/topic-config-def.js';

const keys = [
  { name: 'a.count', type: 'int', defaultValue: 3, doc: 'an int' },
  { name: 'a.limit.ms', type: 'long', defaultValue: 9223372036854775807n, doc: 'a long' },
  { name: 'a.names', type: 'list', defaultValue: null, doc: 'a list' },
  { name: 'a.enable', type: 'boolean', defaultValue: false, doc: 'a boolean' },
] as const satisfies readonly ConfigKeyDef[];

describe('ConfigDef typed view', () => {
  const def = new ConfigDef<ConfigValuesOf<typeof keys>>(keys);

  it('gives every key its parsed value with its type, Long.MAX_VALUE as Infinity', () => {
    const typed = def.typed(def.parse({ 'a.names': 'x, y', 'a.enable': 'true' }).values);
    assert.equal(typed['a.count'], 3);
    assert.equal(typed['a.limit.ms'], Number.POSITIVE_INFINITY);
    assert.deepEqual(typed['a.names'], ['x', 'y']);
    assert.equal(typed['a.enable'], true);
    assert.ok(Object.isFrozen(typed));
  });

  it('keeps longs that fit a double exact and parses past 2^53 to the nearest number', () => {
    assert.equal(def.typed(def.parse({ 'a.limit.ms': '86400000' }).values)['a.limit.ms'], 86_400_000);
    assert.equal(def.typed(def.parse({ 'a.limit.ms': '9007199254740993' }).values)['a.limit.ms'], 2 ** 53);
    // The map DescribeConfigs formats from keeps the exact value.
    assert.equal(def.parse({ 'a.limit.ms': '9007199254740993' }).values.get('a.limit.ms'), 9007199254740993n);
  });

  it('rejects an incomplete set of values', () => {
    assert.throws(() => def.typed(new Map([['a.count', 1]])), InvalidConfigError);
  });

  it("builds a topic's config from Kafka's defaults", () => {
    const topic = TOPIC_CONFIG_DEF.typed(TOPIC_CONFIG_DEF.parse({ 'min.insync.replicas': '2' }).values);
    assert.equal(topic['min.insync.replicas'], 2);
    assert.equal(topic['compression.type'], 'producer');
    assert.deepEqual(topic['cleanup.policy'], ['delete']);
    assert.equal(topic['flush.ms'], Number.POSITIVE_INFINITY);
    assert.equal(topic['message.downconversion.enable'], true);
  });
});
