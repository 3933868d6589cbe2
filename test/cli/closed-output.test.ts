import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBroker } from '../../src/broker/start-broker.js';
import { Kafka } from '../../src/client/index.js';
import { STROM_BIN } from '../helpers/server-process.js';

/**
 * Runs strom with its stdout read by a reader that goes away: at once (`closeAt: 'start'`, so the
 * first write fails for sure) or after the first chunk, as `head` does.
 */
function stromIntoClosedPipe(
  args: readonly string[],
  closeAt: 'start' | 'first-data',
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [STROM_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    if (closeAt === 'start') child.stdout.destroy();
    else child.stdout.once('data', () => child.stdout.destroy());
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

describe('a strom command whose output is closed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-closed-out-'));
  const segment = join(dir, 'data', 'many-0', '00000000000000000000.log');
  before(async () => {
    // Several pipe buffers of --print-data-log output, so dump-log is still writing when the reader goes.
    const broker = await startBroker({ logDir: join(dir, 'data') });
    const producer = new Kafka({ bootstrapServers: broker.bootstrap }).producer();
    await producer.sendBatch(
      'many',
      Array.from({ length: 4000 }, (_, i) => ({ value: `record ${i} ${'x'.repeat(100)}` })),
    );
    await producer.close();
    await broker.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--help ends quietly with exit code 0 (strom --help | head -1)', async () => {
    const r = await stromIntoClosedPipe(['--help'], 'start');
    assert.deepEqual([r.code, r.signal, r.stderr], [0, null, '']);
  });

  it('dump-log ends quietly with exit code 0, whether the reader goes at once or after a chunk', async () => {
    for (const closeAt of ['start', 'first-data'] as const) {
      const r = await stromIntoClosedPipe(['dump-log', '--files', segment, '--print-data-log'], closeAt);
      assert.deepEqual([r.code, r.signal, r.stderr], [0, null, ''], closeAt);
    }
  });

  it('the server stops cleanly when the reader of its logs goes away', async () => {
    const r = await stromIntoClosedPipe(
      [
        'server',
        '--override',
        'listeners=PLAINTEXT://localhost:0',
        '--override',
        'strom.http.listeners=http://localhost:0',
        '--override',
        `log.dirs=${join(dir, 'server')}`,
      ],
      'start',
    );
    assert.deepEqual([r.code, r.signal, r.stderr], [0, null, '']);
  });
});
