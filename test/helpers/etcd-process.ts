import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server-process.js';

/** etcd children still running, SIGKILLed when the test process exits, even after a failed test. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export interface EtcdProcess {
  readonly endpoint: string;
  /** The running etcd process (a new one after `restart`). */
  readonly child: ChildProcess;
  /** SIGKILLs etcd; `start` brings it back on the same ports and data. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** SIGKILLs etcd (if still running) and removes its data dir. */
  stop(): Promise<void>;
}

/** Where etcd runs when not on 127.0.0.1: an address of its own and the command prefix that puts it there. */
export interface EtcdPlacement {
  host: string;
  /** e.g. `ip netns exec <namespace>` (see NetnsNetwork.exec). */
  wrap: readonly string[];
}

/**
 * Starts Debian's `etcd` (etcd-server) as a child process on free ports with a temporary data
 * dir, and waits until its /health answers. CI installs etcd-server; without the binary this fails.
 */
export async function startEtcd(timeoutMs = 15_000, placement?: EtcdPlacement): Promise<EtcdProcess> {
  // In a namespace of its own the address is etcd's alone, so its default ports are free.
  const [clientPort, peerPort] = placement ? [2379, 2380] : [await freePort(), await freePort()];
  const host = placement?.host ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'strom-etcd-'));
  const endpoint = `http://${host}:${clientPort}`;
  const peer = `http://${host}:${peerPort}`;
  const args = [
    '--name=test',
    `--data-dir=${join(dir, 'data')}`,
    `--listen-client-urls=${endpoint}`,
    `--advertise-client-urls=${endpoint}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=test=${peer}`,
    '--log-level=error',
  ];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const kill = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const start = async (): Promise<void> => {
    const wrap = placement?.wrap ?? [];
    const c = spawn(wrap[0] ?? 'etcd', [...wrap.slice(1), ...(wrap.length > 0 ? ['etcd'] : []), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = c;
    running.add(c);
    let err = '';
    c.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    c.once('error', (e) => {
      err += String(e);
    });
    exited = new Promise<void>((r) =>
      c.once('exit', () => {
        running.delete(c);
        r();
      }),
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // not up yet
      }
      if (c.exitCode !== null || c.signalCode !== null || err.includes('ENOENT') || Date.now() > deadline) {
        await kill();
        throw new Error(`etcd did not start (is etcd-server installed?):\n${err}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (): Promise<void> => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    endpoint,
    get child() {
      return child!;
    },
    kill,
    start,
    stop,
  };
}
