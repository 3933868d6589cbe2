import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server-process.js';

export interface EtcdProcess {
  readonly endpoint: string;
  readonly child: ChildProcess;
  /** SIGKILLs etcd (if still running) and removes its data dir. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's `etcd` (etcd-server) as a child process on free ports with a temporary data
 * dir, and waits until its /health answers. CI installs etcd-server; without the binary this fails.
 */
export async function startEtcd(timeoutMs = 15_000): Promise<EtcdProcess> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'strom-etcd-'));
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = spawn(
    'etcd',
    [
      '--name=test',
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=test=${peer}`,
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.once('error', (e) => {
    err += String(e);
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (
      child.exitCode !== null ||
      child.signalCode !== null ||
      err.includes('ENOENT') ||
      Date.now() > deadline
    ) {
      await stop();
      throw new Error(`etcd did not start (is etcd-server installed?):\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { endpoint, child, stop };
}
