import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { noopLogger } from '../../src/common/logger.js';
import { converterFor } from '../../src/connect/converters/converter-config.js';
import { JsonConverter } from '../../src/connect/converters/json-converter.js';
import { StringConverter } from '../../src/connect/converters/string-converter.js';
import { Schemas } from '../../src/connect/data/schema.js';
import { builtinPlugins } from '../../src/connect/plugins/builtin-plugins.js';
import { loadPluginPath } from '../../src/connect/plugins/plugin-path.js';
import { aliasesOf } from '../../src/connect/plugins/plugins.js';

const CONNECT_INDEX = pathToFileURL(resolve(process.cwd(), 'dist/src/connect/index.js')).href;

describe('plugins', () => {
  it("answer to their class name, simple name and pruned alias, as Kafka's", () => {
    assert.deepEqual(aliasesOf('org.apache.kafka.connect.file.FileStreamSourceConnector', 'source'), [
      'org.apache.kafka.connect.file.FileStreamSourceConnector',
      'FileStreamSourceConnector',
      'FileStreamSource',
    ]);
    const p = builtinPlugins();
    assert.ok(p.newConverter('JsonConverter') instanceof JsonConverter);
    assert.ok(p.newConverter('org.apache.kafka.connect.storage.StringConverter') instanceof StringConverter);
    assert.ok(
      p.newHeaderConverter('StringConverter') instanceof StringConverter,
      'a converter that also converts headers',
    );
    assert.throws(() => p.newConverter('com.example.Nope'), /Class com.example.Nope could not be found/);
  });

  it("a connector may override the worker's converter and its settings", () => {
    const p = builtinPlugins();
    const worker = {
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
    };
    const fromWorker = converterFor(p, 'value', {}, worker);
    assert.equal(fromWorker.fromConnectData('t', Schemas.STRING, 'x')!.toString(), '"x"');
    const own = converterFor(p, 'value', { 'value.converter': 'JsonConverter' }, worker);
    assert.equal(
      own.fromConnectData('t', Schemas.STRING, 'x')!.toString(),
      '{"schema":{"type":"string","optional":false},"payload":"x"}',
      "the connector's converter does not take the worker's keys",
    );
    assert.ok(
      converterFor(p, 'value', { 'value.converter': 'StringConverter' }, worker) instanceof StringConverter,
    );
  });

  it('loads connectors and converters from plugin.path and skips a module that fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strom-plugins-'));
    try {
      writeFileSync(
        join(dir, 'shout.mjs'),
        `import { SourceConnector, SourceTask, ConnectConfigDef, StringConverter } from '${CONNECT_INDEX}';
export class ShoutTask extends SourceTask { version() { return '2.0'; } start() {} stop() {} async poll() { return null; } }
export class ShoutConnector extends SourceConnector {
  static className = 'com.example.ShoutConnector';
  version() { return '2.0'; } start() {} stop() {} taskClass() { return ShoutTask; }
  taskConfigs() { return [{}]; } config() { return new ConnectConfigDef(); }
}
export class UpperConverter extends StringConverter {}
export const notAPlugin = 42;
`,
      );
      mkdirSync(join(dir, 'pkg'));
      writeFileSync(join(dir, 'pkg', 'package.json'), JSON.stringify({ name: 'broken', main: 'main.mjs' }));
      writeFileSync(join(dir, 'pkg', 'main.mjs'), 'throw new Error("broken plugin");');
      const p = builtinPlugins();
      const logged: string[] = [];
      await loadPluginPath(p, [dir], {
        ...noopLogger,
        info: (_f, m) => logged.push(m),
        error: (_f, m) => logged.push(m),
      });
      const desc = p.connector('Shout');
      assert.equal(desc.className, 'com.example.ShoutConnector');
      assert.equal(desc.type, 'source');
      assert.equal(desc.version, '2.0');
      assert.equal(p.newConnector('com.example.ShoutConnector').version(), '2.0');
      assert.ok(p.find('converter', 'Upper'));
      assert.ok(logged.includes('plugin module failed to load'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
