import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertConsumed, compatRecord, HEADERS } from './helpers/compat-records.js';
import { CLIENTS_DIR } from './helpers/repo-root.js';
import { kcatConsume, python } from './helpers/run-client.js';

/**
 * Durability with a real client: confluent-kafka-python produces with acks=all and reports every
 * acknowledged offset; once enough are acknowledged the broker process is SIGKILLed (mid-stream,
 * with requests in flight), restarted on the same log dir, and every acknowledged record must be
 * at its offset, byte for byte. The kill point is a count of acknowledgements, not a time.
 */

const ITERATIONS = 4;
const TOPIC = 'durability';

interface Acked {
  offset: number;
  index: number;
}

/** Runs the producer until `killAfter` records are acknowledged, SIGKILLs the broker, returns the acks. */
function produceUntilKilled(broker: BrokerProcess, start: number, killAfter: number): Promise<Acked[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      '/usr/bin/python3',
      [
        join(CLIENTS_DIR, 'confluent_kafka_compat.py'),
        'durable',
        broker.bootstrap,
        TOPIC,
        String(start),
        '1000000',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const acked: Acked[] = [];
    let partial = '';
    let stderr = '';
    let killing: Promise<void> | null = null;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const [offset, index] = line.split('\t').map(Number);
        acked.push({ offset: offset!, index: index! });
      }
      if (killing === null && acked.length >= killAfter) {
        // Acknowledgements already written to the pipe still count: they came from the broker.
        killing = broker.kill().then(() => {
          child.kill('SIGKILL');
        });
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      if (killing === null) {
        reject(new Error(`producer exited before ${killAfter} acknowledgements:\n${stderr}`));
        return;
      }
      killing.then(() => resolve(acked), reject);
    });
  });
}

test('acks=all records survive SIGKILL of the broker, over several restarts', async (t) => {
  const logDir = mkdtempSync(join(tmpdir(), 'strom-compat-durability-'));
  const allAcked = new Map<number, number>();
  let nextIndex = 0;
  try {
    for (let i = 0; i < ITERATIONS; i++) {
      const broker = await BrokerProcess.start({ logDir });
      const acked = await produceUntilKilled(broker, nextIndex, 2000 + 1000 * i);
      assert.ok(acked.length >= 2000, 'acknowledged before the kill');
      for (const a of acked) {
        assert.ok(!allAcked.has(a.offset), `offset ${a.offset} acknowledged twice`);
        allAcked.set(a.offset, a.index);
      }
      nextIndex = Math.max(...acked.map((a) => a.index)) + 1;
      t.diagnostic(`iteration ${i}: ${acked.length} acknowledged, ${allAcked.size} in total`);

      const restarted = await BrokerProcess.start({ logDir });
      const out = await kcatConsume(restarted.bootstrap, TOPIC);
      await restarted.stop();
      const byOffset = new Map<number, string>();
      for (const line of out.split('\n')) {
        if (line !== '') byOffset.set(Number(line.slice(0, line.indexOf('\t'))), line);
      }
      const headers = HEADERS.map(([k, v]) => `${k}=${v}`).join(',');
      for (const [offset, index] of allAcked) {
        const r = compatRecord(index);
        const expected = `${offset}\t${r.key}\t${r.value ?? 'NULL'}\t${headers}`;
        if (byOffset.get(offset) !== expected) {
          assert.equal(byOffset.get(offset), expected, `acknowledged offset ${offset} after restart ${i}`);
        }
      }
    }
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
});

test('a consumer keeps consuming across a clean broker restart on the same port', async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'strom-compat-restart-'));
  let broker = await BrokerProcess.start({ logDir });
  const port = broker.port;
  try {
    await python('confluent_kafka_compat.py', ['produce', broker.bootstrap, 'restart', 1000, 'none']);
    const fetching = broker.nextRequest('compat-confluent', 'Fetch');
    const consumer = python('confluent_kafka_compat.py', ['consume', broker.bootstrap, 'restart', 2000]);
    await fetching;
    await broker.stop();
    broker = await BrokerProcess.start({ logDir, port });
    await python('confluent_kafka_compat.py', ['produce', broker.bootstrap, 'restart', 1000, 'none']);
    const lines = (await consumer).split('\n');
    assertConsumed(lines.slice(0, 1000).join('\n'), 1000, { headers: true, label: 'before the restart' });
    assertConsumed(lines.slice(1000).join('\n'), 1000, {
      headers: true,
      firstOffset: 1000,
      label: 'after the restart',
    });
  } finally {
    await broker.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
});
