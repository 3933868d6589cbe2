import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseProperties } from '../../src/common/properties.js';
import { SinkConnector, SourceConnector } from '../../src/connect/api/connector.js';
import { SinkTask, SourceTask } from '../../src/connect/api/task.js';
import { invalidConfigMessage, validateConnectorConfig } from '../../src/connect/config/config-infos.js';
import { ConfigValidators, ConnectConfigDef } from '../../src/connect/config/connect-config-def.js';
import type { ConnectError } from '../../src/connect/connect-error.js';
import { builtinPlugins } from '../../src/connect/plugins/builtin-plugins.js';
import { distributedWorkerConfigDef } from '../../src/connect/runtime/worker-config.js';

class NoopSinkTask extends SinkTask {
  version(): string {
    return '1.0';
  }
  start(): void {}
  stop(): void {}
  put(): void {}
}

class ExampleSinkConnector extends SinkConnector {
  version(): string {
    return '1.0';
  }
  start(): void {}
  stop(): void {}
  taskClass() {
    return NoopSinkTask;
  }
  taskConfigs(): Record<string, string>[] {
    return [{}];
  }
  config(): ConnectConfigDef {
    return new ConnectConfigDef([
      { name: 'file', type: 'string', importance: 'HIGH', documentation: 'Destination file.' },
      {
        name: 'batch.size',
        type: 'int',
        defaultValue: 100,
        importance: 'LOW',
        documentation: 'Records per write.',
        validator: ConfigValidators.atLeast(1),
      },
    ]);
  }
}

class NoopSourceTask extends SourceTask {
  version(): string {
    return '1.0';
  }
  start(): void {}
  stop(): void {}
  async poll() {
    return null;
  }
}

class ExampleSourceConnector extends SourceConnector {
  version(): string {
    return '1.0';
  }
  start(): void {}
  stop(): void {}
  taskClass() {
    return NoopSourceTask;
  }
  taskConfigs(): Record<string, string>[] {
    return [{}];
  }
  config(): ConnectConfigDef {
    return new ConnectConfigDef();
  }
}

function plugins() {
  const p = builtinPlugins();
  p.register({
    className: 'com.example.ExampleSinkConnector',
    type: 'sink',
    version: '1.0',
    ctor: ExampleSinkConnector,
    location: 'test',
  });
  p.register({
    className: 'com.example.ExampleSourceConnector',
    type: 'source',
    version: '1.0',
    ctor: ExampleSourceConnector,
    location: 'test',
  });
  return p;
}

describe('ConnectConfigDef', () => {
  it("parses types with Kafka's messages and defaults", () => {
    const def = new ConnectConfigDef([
      { name: 'n', type: 'int', defaultValue: 3, importance: 'LOW', documentation: '' },
      { name: 'l', type: 'list', defaultValue: 'a, b', importance: 'LOW', documentation: '' },
      { name: 'b', type: 'boolean', importance: 'LOW', documentation: '' },
    ]);
    const parsed = def.parse({ b: 'TRUE' });
    assert.equal(parsed.getInt('n'), 3);
    assert.deepEqual(parsed.getList('l'), ['a', 'b']);
    assert.equal(parsed.getBoolean('b'), true);
    assert.throws(
      () => def.parse({ b: 'yes' }),
      /Invalid value yes for configuration b: Expected value to be either true or false/,
    );
    assert.throws(
      () => def.parse({ b: 'true', n: 'x' }),
      /Invalid value x for configuration n: Not a number of type INT/,
    );
    assert.throws(() => def.parse({}), /Missing required configuration "b" which has no default value./);
  });
});

describe('validateConnectorConfig (the validate endpoint)', () => {
  it("answers Kafka's ConfigInfos with every key, its definition and its errors", async () => {
    const infos = await validateConnectorConfig(plugins(), {
      'connector.class': 'ExampleSink',
      name: 'sink-1',
      topics: 'a,b',
    });
    assert.equal(infos.name, 'com.example.ExampleSinkConnector');
    assert.deepEqual(infos.groups, ['Common', 'Transforms', 'Predicates', 'Error Handling']);
    assert.equal(infos.error_count, 1);
    const file = infos.configs.find((c) => c.definition.name === 'file')!;
    assert.deepEqual(file.value, {
      name: 'file',
      value: null,
      recommended_values: [],
      errors: ['Missing required configuration "file" which has no default value.'],
      visible: true,
    });
    const tasksMax = infos.configs.find((c) => c.definition.name === 'tasks.max')!;
    assert.deepEqual(tasksMax.definition, {
      name: 'tasks.max',
      type: 'INT',
      required: false,
      default_value: '1',
      importance: 'HIGH',
      documentation: 'Maximum number of tasks to use for this connector.',
      group: 'Common',
      width: 'SHORT',
      display_name: 'Tasks max',
      dependents: [],
      order: 3,
    });
    assert.equal(tasksMax.value.value, '1');
    assert.match(
      invalidConfigMessage(infos),
      /contains the following 1 error\(s\):\nMissing required configuration "file"/,
    );
  });

  it("checks sink topics, tasks.max and the connector's own validators", async () => {
    const infos = await validateConnectorConfig(plugins(), {
      'connector.class': 'com.example.ExampleSinkConnector',
      name: 'sink-1',
      file: '/tmp/x',
      'tasks.max': '0',
      'batch.size': '0',
    });
    const errors = Object.fromEntries(
      infos.configs.filter((c) => c.value.errors.length).map((c) => [c.definition.name, c.value.errors]),
    );
    assert.deepEqual(errors, {
      'tasks.max': ['Invalid value 0 for configuration tasks.max: Value must be at least 1'],
      topics: ['Must configure one of topics or topics.regex'],
      'topics.regex': ['Must configure one of topics or topics.regex'],
      'batch.size': ['Invalid value 0 for configuration batch.size: Value must be at least 1'],
    });
    assert.equal(infos.error_count, 4);
  });

  it('source connectors get the source keys, not the sink ones', async () => {
    const infos = await validateConnectorConfig(plugins(), {
      'connector.class': 'ExampleSourceConnector',
      name: 's',
    });
    assert.equal(infos.error_count, 0);
    assert.ok(infos.configs.some((c) => c.definition.name === 'exactly.once.support'));
    assert.ok(!infos.configs.some((c) => c.definition.name === 'topics'));
  });

  it('an unknown class or none at all is a bad request naming the available connectors', async () => {
    await assert.rejects(
      validateConnectorConfig(plugins(), { 'connector.class': 'Nope' }),
      (err: ConnectError) => {
        assert.equal(err.code, 'BAD_REQUEST');
        assert.match(
          err.message,
          /Failed to find any class that implements Connector and which name matches Nope, available connectors are: com.example.ExampleSinkConnector, com.example.ExampleSourceConnector/,
        );
        return true;
      },
    );
    await assert.rejects(validateConnectorConfig(plugins(), { name: 'x' }), /contains no connector type/);
  });
});

describe('distributed worker config', () => {
  it("parses config/connect-distributed.properties as shipped, with Kafka's defaults for what it leaves out", () => {
    const text = readFileSync(resolve(process.cwd(), 'config/connect-distributed.properties'), 'utf8');
    const parsed = distributedWorkerConfigDef().parse(Object.fromEntries(parseProperties(text)));
    assert.equal(parsed.getString('group.id'), 'connect-cluster');
    assert.equal(parsed.getString('config.storage.topic'), 'connect-configs');
    assert.equal(parsed.getString('offset.storage.topic'), 'connect-offsets');
    assert.equal(parsed.getString('status.storage.topic'), 'connect-status');
    assert.equal(parsed.getInt('offset.storage.partitions'), 25);
    assert.equal(parsed.getInt('session.timeout.ms'), 10000);
    assert.equal(parsed.getInt('scheduled.rebalance.max.delay.ms'), 300000);
    assert.equal(parsed.getString('connect.protocol'), 'sessioned');
  });

  it('refuses a worker without group.id, and an exactly.once.source.support Kafka does not have', () => {
    const base = {
      'group.id': 'g',
      'config.storage.topic': 'c',
      'offset.storage.topic': 'o',
      'status.storage.topic': 's',
      'key.converter': 'StringConverter',
      'value.converter': 'StringConverter',
    };
    const { 'group.id': _, ...noGroup } = base;
    assert.throws(() => distributedWorkerConfigDef().parse(noGroup), /group\.id/);
    assert.throws(
      () => distributedWorkerConfigDef().parse({ ...base, 'exactly.once.source.support': 'always' }),
      /exactly\.once\.source\.support/,
    );
    const enabled = distributedWorkerConfigDef().parse({ ...base, 'exactly.once.source.support': 'enabled' });
    assert.equal(enabled.getString('exactly.once.source.support'), 'enabled');
  });
});
