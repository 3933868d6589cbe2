import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../compat/helpers/repo-root.js';

/**
 * The package as npm would publish it: packed from this checkout (without running `prepare`, which
 * would rebuild dist/ under the other tests' feet), unpacked into a project's node_modules, and
 * used from there. The project's other dependencies are links to this checkout's node_modules,
 * so the test stays offline and takes a few seconds.
 */
describe('the packed package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-pack-'));
  const project = join(dir, 'project');
  const installed = join(project, 'node_modules', 'strom');
  let files: string[] = [];

  before(() => {
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [packed] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
    files = packed!.files.map((f) => f.path).sort();
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(dir, packed!.filename), '-C', installed, '--strip-components=1']);
    for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) {
      if (entry === 'strom' || entry === '.bin') continue;
      symlinkSync(join(REPO_ROOT, 'node_modules', entry), join(project, 'node_modules', entry));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs node in the project, as code that depends on strom would. */
  const nodeIn = (args: string[]): string =>
    execFileSync(process.execPath, args, {
      cwd: project,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('holds the command, the compiled modules, the web console, the licence, the sample config and the docs, and no maps', () => {
    for (const f of [
      'LICENSE',
      'README.md',
      'package.json',
      'bin/strom.js',
      'config/server.properties',
      'console/index.html',
      'console/app.js',
      'dist/strom-cli.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/client/index.js',
      'dist/src/protocol/index.js',
      'dist/src/connect/index.js',
      'docs/cli.md',
      'docs/embedding.md',
    ]) {
      assert.ok(files.includes(f), `${f} is in the package`);
    }
    assert.deepEqual(
      files.filter((f) => f.endsWith('.map')),
      [],
      'source maps would point to sources the package does not ship',
    );
    assert.deepEqual(
      files.filter((f) => /^(dist\/)?(test|bench|scripts)\/|^src\/|\.ts$(?<!\.d\.ts)/.test(f)),
      [],
      'no tests, benchmarks or TypeScript sources',
    );
    assert.match(readFileSync(join(installed, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
  });

  it('every link of the README points to a file in the package', () => {
    const readme = readFileSync(join(installed, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((l) => !/^[a-z]+:/.test(l));
    assert.ok(links.length > 5);
    for (const link of links) assert.ok(existsSync(join(installed, link)), `README links to ${link}`);
  });

  it('imports every export: strom, strom/client, strom/protocol, strom/connect and strom/streams', () => {
    const out = nodeIn([
      '--input-type=module',
      '-e',
      `
      const strom = await import('strom');
      const client = await import('strom/client');
      const protocol = await import('strom/protocol');
      const connect = await import('strom/connect');
      const json = new connect.JsonConverter();
      json.configure({}, false);
      const streams = await import('strom/streams');
      const builder = new streams.StreamsBuilder();
      builder.stream('in', { value: streams.Serdes.String }).mapValues((v) => v.length).to('out', { value: streams.Serdes.Long });
      const driver = new streams.TopologyTestDriver(builder.build());
      driver.createInputTopic('in', streams.Serdes.String, streams.Serdes.String).pipeInput(null, 'four');
      const length = driver.createOutputTopic('out', streams.Serdes.String, streams.Serdes.Long).readValue();
      driver.close();
      const broker = await strom.startBroker();
      const kafka = new client.Kafka({ bootstrapServers: broker.bootstrap });
      const producer = kafka.producer();
      const meta = await producer.send('packed', { value: 'hello' });
      await producer.close();
      await broker.close();
      const batch = protocol.encodeRecordBatch({ baseOffset: 0n, records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('x'), headers: [] }] });
      console.log(JSON.stringify({
        offset: String(meta.offset),
        records: protocol.decodeRecordBatch(batch).records.length,
        error: protocol.ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        produceKey: protocol.ApiKey.Produce,
        release: protocol.KAFKA_SPEC_RELEASE,
        envelope: json.fromConnectData('t', connect.Schemas.STRING, 'x').toString(),
        length,
      }));
      `,
    ]);
    assert.deepEqual(JSON.parse(out), {
      offset: '0',
      records: 1,
      error: 3,
      produceKey: 0,
      release: '3.9',
      envelope: '{"schema":{"type":"string","optional":false},"payload":"x"}',
      length: 4,
    });
  });

  it('runs the strom command, and finds its sample config, from node_modules', () => {
    const version = nodeIn([join(installed, 'bin/strom.js'), '--version']);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.match(version, new RegExp(`^strom ${pkg.version.replace(/\./g, '\\.')}\\nKafka protocol: `));
    const config = readFileSync(join(installed, 'config/server.properties'), 'utf8');
    assert.match(config, /^listeners=PLAINTEXT:\/\/localhost:9092$/m);
  });
});
