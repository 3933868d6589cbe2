import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { SERVER_NODE_FLAGS } from '../../src/cli/server-node-flags.js';
import { PipelinedConnection } from '../load/pipelined-connection.js';
import { spawnTracked, stopProcess } from './child-processes.js';

/** A Strom broker in its own process (`strom server`), started and stopped by the suite. */
export interface StromProcess {
  child: ChildProcess;
  host: string;
  port: number;
  /** From spawn to the port accepting connections. */
  startMs: number;
}

export function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

export async function waitForPort(host: string, port: number, timeoutMs: number, child?: ChildProcess) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      (await PipelinedConnection.open(host, port)).close();
      return;
    } catch {
      if (child && child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
      if (performance.now() > deadline)
        throw new Error(`${host}:${port} did not accept within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export interface StartStromOptions {
  dataDir: string;
  port?: number;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  overrides?: string[];
}

export async function startStrom(options: StartStromOptions): Promise<StromProcess> {
  const port = options.port ?? (await freePort());
  const t0 = performance.now();
  const args = [
    ...(options.nodeArgs ?? []),
    // As `npm start` and the `strom` command's shebang run it.
    ...SERVER_NODE_FLAGS,
    'bin/strom.js',
    'server',
    '--log-level',
    'warn',
    '--override',
    `listeners=PLAINTEXT://127.0.0.1:${port}`,
    '--override',
    `log.dirs=${options.dataDir}`,
    // Metrics on, as a broker runs by default, on a free port: brokers of a suite may overlap.
    '--override',
    'strom.http.listeners=http://127.0.0.1:0',
  ];
  for (const o of options.overrides ?? []) args.push('--override', o);
  const child = spawnTracked(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort('127.0.0.1', port, 600_000, child);
  return { child, host: '127.0.0.1', port, startMs: performance.now() - t0 };
}

export function stopStrom(p: StromProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return stopProcess(p.child, signal, 60_000);
}

export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}
