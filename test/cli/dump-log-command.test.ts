import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBroker } from '../../src/broker/start-broker.js';
import { Kafka } from '../../src/client/index.js';
import { encodeProducerSnapshot } from '../../src/storage/producer-state/producer-snapshot-file.js';
import { ProducerStateEntry } from '../../src/storage/producer-state/producer-state-entry.js';
import { encodeAbortedTxn } from '../../src/storage/transaction-index.js';
import { strom } from './cli-helpers.js';

describe('strom dump-log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-dump-'));
  const segment = join(dir, 'data', 'audit-0', '00000000000000000000');
  before(async () => {
    const broker = await startBroker({ logDir: join(dir, 'data') });
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap });
    const admin = kafka.admin();
    // An index entry after every batch, so the index has something to show.
    await admin.createTopics([
      { topic: 'audit', numPartitions: 1, configs: { 'index.interval.bytes': '1' } },
    ]);
    await admin.close();
    const producer = kafka.producer({ compression: 'gzip' });
    await producer.sendBatch('audit', [
      { key: 'k1', value: 'first', timestamp: 1_700_000_000_000, headers: { trace: 'a' } },
      { value: 'second', timestamp: 1_700_000_000_001 },
    ]);
    await producer.send('audit', { key: 'k3', value: 'third', timestamp: 1_700_000_000_002 });
    await producer.send('audit', { value: 'fourth', timestamp: 1_700_000_000_003 });
    await producer.close();
    await broker.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints batches with positions and CRC checks, and records with --print-data-log', async () => {
    const r = await strom(['dump-log', '--files', `${segment}.log`, '--print-data-log']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `Dumping ${segment}.log`);
    assert.equal(lines[1], 'Log starting offset: 0');
    assert.match(
      lines[2]!,
      /^baseOffset: 0 lastOffset: 1 count: 2 baseSequence: -?\d+ lastSequence: -?\d+ producerId: -?\d+ producerEpoch: -?\d+ partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong\.empty position: 0 CreateTime: 1700000000001 size: (\d+) magic: 2 compresscodec: gzip crc: \d+ isvalid: true$/,
    );
    assert.match(
      lines[3]!,
      /^\| offset: 0 CreateTime: 1700000000000 keySize: 2 valueSize: 5 sequence: -?\d+ headerKeys: \[trace\] key: k1 payload: first$/,
    );
    assert.match(
      lines[4]!,
      /^\| offset: 1 CreateTime: 1700000000001 keySize: -1 valueSize: 6 sequence: -?\d+ headerKeys: \[\] payload: second$/,
    );
    const size = Number(/size: (\d+)/.exec(lines[2]!)![1]);
    assert.match(
      lines[5]!,
      new RegExp(
        `^baseOffset: 2 lastOffset: 2 count: 1 .* position: ${size} CreateTime: 1700000000002 .* isvalid: true$`,
      ),
    );
    assert.match(lines[6]!, /^\| offset: 2 .* key: k3 payload: third$/);
    assert.match(lines[8]!, /^\| offset: 3 .* payload: fourth$/);
    assert.equal(lines.length, 9);

    const json = await strom(['dump-log', '--files', `${segment}.log`, '--print-data-log', '--json']);
    const objects = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      objects.map((o) => o.type),
      ['file', 'logStartOffset', 'batch', 'record', 'record', 'batch', 'record', 'batch', 'record'],
    );
    assert.equal(objects[2].compresscodec, 'gzip');
    assert.equal(objects[2].isvalid, true);
    assert.deepEqual(
      {
        key: objects[3].key,
        payload: objects[3].payload,
        headerKeys: objects[3].headerKeys,
        offset: objects[3].offset,
      },
      { key: 'k1', payload: 'first', headerKeys: ['trace'], offset: 0 },
    );

    const shallow = await strom(['dump-log', '--files', `${segment}.log`]);
    assert.equal(shallow.stdout.split('\n').filter((l) => l.startsWith('|')).length, 0);
  });

  it('prints the offset and time indexes and checks the offset index against the log', async () => {
    const r = await strom(['dump-log', '--files', `${segment}.index,${segment}.timeindex`]);
    assert.equal(r.code, 0, r.stderr);
    // Like Kafka, the first batch of a segment gets no entry: position 0 is implied.
    const log = readFileSync(`${segment}.log`);
    const second = log.readInt32BE(8) + 12;
    const third = second + log.readInt32BE(second + 8) + 12;
    assert.equal(
      r.stdout,
      `Dumping ${segment}.index\noffset: 2 position: ${second}\noffset: 3 position: ${third}\n` +
        `Dumping ${segment}.timeindex\ntimestamp: 1700000000002 offset: 2\ntimestamp: 1700000000003 offset: 3\n`,
    );
  });

  it('reports a bad CRC, a torn tail and an index that points elsewhere', async () => {
    const copy = join(dir, 'copy');
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(copy);
    const log = join(copy, '00000000000000000000.log');
    const bytes = readFileSync(`${segment}.log`);
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(log, Buffer.concat([bytes, Buffer.from([0, 0, 0])]));
    const index = Buffer.alloc(8);
    index.writeInt32BE(5, 0);
    writeFileSync(join(copy, '00000000000000000000.index'), index);
    copyFileSync(`${segment}.timeindex`, join(copy, '00000000000000000000.timeindex'));
    const r = await strom(['dump-log', '--files', `${log},${join(copy, '00000000000000000000.index')}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /baseOffset: 3 .* isvalid: false\n/);
    assert.match(r.stdout, /Found 3 invalid bytes at the end of 00000000000000000000\.log\n/);
    assert.match(r.stdout, /Mismatches in :.*\.index\n {2}Index offset: 5, log offset: 1\n$/);
    const missing = await strom(['dump-log', '--files', join(copy, 'nope.log')]);
    assert.equal(missing.code, 1);
  });

  it("prints a producer state snapshot as Kafka's tool does, and refuses a corrupt one", async () => {
    // The broker's clean shutdown left a snapshot at the log end: the (idempotent) producer's last batch.
    const atEnd = await strom([
      'dump-log',
      '--files',
      join(dir, 'data', 'audit-0', '00000000000000000004.snapshot'),
    ]);
    assert.equal(atEnd.code, 0, atEnd.stderr);
    assert.match(
      atEnd.stdout,
      /^Dumping .*00000000000000000004\.snapshot\nproducerId: \d+ producerEpoch: 0 coordinatorEpoch: -1 currentTxnFirstOffset: OptionalLong\.empty lastTimestamp: 1700000000003 firstSequence: 3 lastSequence: 3 lastOffset: 3 offsetDelta: 0 timestamp: 1700000000003\n$/,
    );
    const snap = join(dir, '00000000000000000007.snapshot');
    const e = new ProducerStateEntry(1000n, 2);
    e.addBatch(2, { firstSeq: 5, lastSeq: 6, lastOffset: 6, offsetDelta: 1, timestamp: 1_700_000_000_006 });
    const bytes = encodeProducerSnapshot([e]);
    writeFileSync(snap, bytes);
    const r = await strom(['dump-log', '--files', snap]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout.split('\n')[1],
      'producerId: 1000 producerEpoch: 2 coordinatorEpoch: -1 currentTxnFirstOffset: OptionalLong.empty lastTimestamp: 1700000000006 firstSequence: 5 lastSequence: 6 lastOffset: 6 offsetDelta: 1 timestamp: 1700000000006',
    );
    const json = await strom(['dump-log', '--files', snap, '--json']);
    assert.deepEqual(JSON.parse(json.stdout.split('\n')[1]!), {
      type: 'producerSnapshotEntry',
      producerId: 1000,
      producerEpoch: 2,
      coordinatorEpoch: -1,
      currentTxnFirstOffset: null,
      lastTimestamp: 1_700_000_000_006,
      firstSequence: 5,
      lastSequence: 6,
      lastOffset: 6,
      offsetDelta: 1,
      timestamp: 1_700_000_000_006,
    });
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(snap, bytes);
    const corrupt = await strom(['dump-log', '--files', snap]);
    assert.equal(corrupt.code, 1);
    assert.match(corrupt.stderr, /CRC mismatch/);
  });

  it('prints a .txnindex entry per aborted transaction, as Kafka dumpTxnIndex does', async () => {
    const file = join(dir, '00000000000000000000.txnindex');
    const bytes = Buffer.concat([
      encodeAbortedTxn({ producerId: 7n, firstOffset: 1, lastOffset: 4, lastStableOffset: 3 }),
      Buffer.alloc(5),
    ]);
    writeFileSync(file, bytes);
    const r = await strom(['dump-log', '--files', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').slice(1), [
      'version: 0 producerId: 7 firstOffset: 1 lastOffset: 4 lastStableOffset: 3',
      'Found 5 invalid bytes at the end of the index',
      '',
    ]);
    const json = await strom(['dump-log', '--files', file, '--json']);
    assert.deepEqual(JSON.parse(json.stdout.split('\n')[1]!), {
      type: 'abortedTxn',
      version: 0,
      producerId: 7,
      firstOffset: 1,
      lastOffset: 4,
      lastStableOffset: 3,
    });
  });
});
