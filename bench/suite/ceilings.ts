import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker } from './child-processes.js';
import { BATCH_BYTES } from './kafka-load.js';
import { settleDisk } from './settle-disk.js';
import type { Ceilings, SuiteContext } from './suite-context.js';

/**
 * The machine's limits, measured in the same run: a sequential write of the same batches with
 * Node's fs (buffered, and with an fdatasync per MiB), and a Node echo over loopback TCP.
 */
export function rawWriteMBs(
  dir: string,
  fsyncPerMiB: boolean,
  seconds: number,
  batch: Buffer = Buffer.alloc(BATCH_BYTES, 97),
): number {
  const path = join(dir, `ceiling-${fsyncPerMiB ? 'fsync' : 'buffered'}`);
  const fd = openSync(path, 'w');
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let bytes = 0;
  let sinceSync = 0;
  try {
    while (performance.now() < deadline) {
      writeSync(fd, batch);
      bytes += batch.length;
      sinceSync += batch.length;
      if (fsyncPerMiB && sinceSync >= 1 << 20) {
        fsyncSync(fd);
        sinceSync = 0;
      }
    }
    return bytes / 1e6 / ((performance.now() - t0) / 1000);
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

export async function measureCeilings(ctx: SuiteContext): Promise<Ceilings> {
  ctx.progress('ceilings: raw disk write and loopback TCP');
  // From a settled disk, as every workload starts (settleDisk).
  settleDisk();
  const diskBufferedMBs = rawWriteMBs(ctx.dataDir, false, ctx.seconds);
  ctx.rec.add({
    section: 'ceilings',
    id: 'ceiling.disk.buffered',
    label: 'Sequential write, 16 KiB batches, buffered (fs.writeSync)',
    system: 'node',
    value: diskBufferedMBs,
    unit: 'MB/s',
  });
  settleDisk();
  const diskFsyncMBs = rawWriteMBs(ctx.dataDir, true, ctx.seconds);
  ctx.rec.add({
    section: 'ceilings',
    id: 'ceiling.disk.fsync',
    label: 'Sequential write with fdatasync per 1 MiB',
    system: 'node',
    value: diskFsyncMBs,
    unit: 'MB/s',
  });
  const server = startWorker({ kind: 'echo-server' });
  const port = Number(await server.ready);
  const client = startWorker({ kind: 'echo-client', port, durationMs: ctx.seconds * 1000 });
  const c = await client.result;
  server.stop();
  const s = await server.result;
  const tcpEchoMBs = c.bytes / 1e6 / c.seconds;
  ctx.rec.add({
    section: 'ceilings',
    id: 'ceiling.tcp.echo',
    label: 'Loopback TCP through a Node echo server, 256 KiB writes',
    system: 'node',
    value: tcpEchoMBs,
    unit: 'MB/s',
    generatorCpuPercent: [c.cpuPercent ?? 0, s.cpuPercent ?? 0],
    note: 'counted once, on return; each byte crosses loopback twice, so a one-way stream can beat it',
  });
  return { diskBufferedMBs, diskFsyncMBs, tcpEchoMBs };
}
