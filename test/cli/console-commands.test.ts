import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka } from '../../src/client/index.js';
import { STROM_BIN } from '../helpers/server-process.js';
import { strom } from './cli-helpers.js';

describe('strom console-producer and console-consumer', () => {
  let broker: StartedBroker;
  let bs: string[];
  before(async () => {
    broker = await startBroker({ config: { 'num.partitions': '1' } });
    bs = ['--bootstrap-server', broker.bootstrap];
  });
  after(() => broker.close());

  it('writes every stdin line and reads them back from the beginning', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `event ${i}`);
    const produced = await strom(['console-producer', '--topic', 'lines', ...bs], {
      input: `${lines.join('\n')}\n`,
    });
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await strom([
      'console-consumer',
      '--topic',
      'lines',
      '--from-beginning',
      '--max-messages',
      '50',
      ...bs,
    ]);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.deepEqual(consumed.stdout.trimEnd().split('\n'), lines);
    assert.equal(consumed.stderr, 'Processed a total of 50 messages\n');
  });

  it('parses keys and headers and prints them with the formatter properties', async () => {
    const produced = await strom(
      [
        'console-producer',
        '--topic',
        'keyed',
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
        '--property',
        'parse.headers=true',
        '--compression-codec',
        'lz4',
        '--sync',
        ...bs,
      ],
      { input: 'h1:a,h2:b\tk1:v1\n\tk2:v2\n' },
    );
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await strom([
      'console-consumer',
      '--topic',
      'keyed',
      '--from-beginning',
      '--max-messages',
      '2',
      '--property',
      'print.key=true',
      '--property',
      'print.headers=true',
      '--property',
      'print.partition=true',
      '--property',
      'print.offset=true',
      '--property',
      'print.timestamp=true',
      '--property',
      'key.separator=|',
      ...bs,
    ]);
    assert.equal(consumed.code, 0, consumed.stderr);
    const out = consumed.stdout.trimEnd().split('\n');
    assert.match(out[0]!, /^CreateTime:\d+\|Partition:0\|Offset:0\|h1:a,h2:b\|k1\|v1$/);
    assert.match(out[1]!, /^CreateTime:\d+\|Partition:0\|Offset:1\|NO_HEADERS\|k2\|v2$/);

    const json = await strom([
      'console-consumer',
      '--topic',
      'keyed',
      '--partition',
      '0',
      '--offset',
      '1',
      '--max-messages',
      '1',
      '--format',
      'json',
      ...bs,
    ]);
    assert.equal(json.code, 0, json.stderr);
    const rec = JSON.parse(json.stdout);
    assert.deepEqual(
      { ...rec, timestamp: 0 },
      { topic: 'keyed', partition: 0, offset: 1, timestamp: 0, key: 'k2', value: 'v2', headers: [] },
    );
  });

  it('refuses a line without a key separator, unless ignore.error', async () => {
    const bad = await strom(
      ['console-producer', '--topic', 'strict', '--property', 'parse.key=true', ...bs],
      { input: 'no separator\n' },
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /line number 1/);
    const lenient = await strom(
      [
        'console-producer',
        '--topic',
        'strict',
        '--property',
        'parse.key=true',
        '--property',
        'ignore.error=true',
        ...bs,
      ],
      {
        input: 'no separator\nk\tv\n',
      },
    );
    assert.equal(lenient.code, 0, lenient.stderr);
    const read = await strom([
      'console-consumer',
      '--topic',
      'strict',
      '--from-beginning',
      '--timeout-ms',
      '1500',
      '--property',
      'print.key=true',
      ...bs,
    ]);
    assert.equal(read.stdout, 'k\tv\n');
    assert.equal(read.stderr, 'Processed a total of 1 messages\n');
  });

  it("commits a group's position so the next run continues after it", async () => {
    const produced = await strom(['console-producer', '--topic', 'grouped', ...bs], { input: 'a\nb\nc\n' });
    assert.equal(produced.code, 0, produced.stderr);
    const first = await strom([
      'console-consumer',
      '--topic',
      'grouped',
      '--group',
      'readers',
      '--from-beginning',
      '--max-messages',
      '2',
      ...bs,
    ]);
    assert.equal(first.stdout, 'a\nb\n');
    const admin = new Kafka({ bootstrapServers: broker.bootstrap }).admin();
    try {
      assert.deepEqual(
        (await admin.listGroupOffsets('readers')).map((o) => [o.topic, o.partition, o.offset]),
        [['grouped', 0, 2n]],
      );
    } finally {
      await admin.close();
    }
    const second = await strom([
      'console-consumer',
      '--topic',
      'grouped',
      '--group',
      'readers',
      '--max-messages',
      '1',
      ...bs,
    ]);
    assert.equal(second.stdout, 'c\n');
  });

  it('reads committed records only with --isolation-level read_committed', async () => {
    await strom(['console-producer', '--topic', 'iso', ...bs], { input: 'x\n' });
    const r = await strom([
      'console-consumer',
      '--topic',
      'iso',
      '--from-beginning',
      '--isolation-level',
      'read_committed',
      '--max-messages',
      '1',
      ...bs,
    ]);
    assert.equal(r.stdout, 'x\n');
    assert.equal(
      (await strom(['console-consumer', '--topic', 'iso', '--isolation-level', 'sometimes', ...bs])).code,
      2,
    );
  });

  it('stops cleanly on SIGINT and when the reading end of its pipe closes', async () => {
    await strom(['console-producer', '--topic', 'stream', ...bs], { input: 'one\ntwo\nthree\n' });
    const child = spawn(
      process.execPath,
      [STROM_BIN, 'console-consumer', '--topic', 'stream', '--from-beginning', ...bs],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.split('\n').length > 3) resolve();
      });
    });
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.equal(out, 'one\ntwo\nthree\n');
    assert.equal(err, 'Processed a total of 3 messages\n');

    // More output than a pipe buffers, so the consumer is still writing when the reader goes away.
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i}`);
    await strom(['console-producer', '--topic', 'long', ...bs], { input: `${lines.join('\n')}\n` });
    const reader = spawn(
      process.execPath,
      [STROM_BIN, 'console-consumer', '--topic', 'long', '--from-beginning', ...bs],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let readerErr = '';
    reader.stderr.on('data', (c: Buffer) => {
      readerErr += c.toString();
    });
    const readerExited = new Promise<number | null>((r) => reader.on('exit', (code) => r(code)));
    reader.stdout.once('data', () => reader.stdout.destroy());
    assert.equal(await readerExited, 0);
    assert.match(readerErr, /^Processed a total of \d+ messages\n$/);
  });
});
