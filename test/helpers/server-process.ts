import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const STROM_BIN = resolve(process.cwd(), 'bin/strom.js');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/**
 * `strom server` binds its HTTP listener on localhost:9644 by default; test brokers run side by
 * side, so each takes a free port instead, unless the test chooses.
 */
export function withFreeHttpPort(args: readonly string[]): string[] {
  if (args.some((a) => a.startsWith('strom.http.listeners='))) return [...args];
  return ['--override', 'strom.http.listeners=http://127.0.0.1:0', ...args];
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly bootstrap: string;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Starts `strom server` as a child process and waits until it logs that it is listening. */
export async function startServerProcess(
  args: string[],
  port: number,
  timeoutMs = 15_000,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [STROM_BIN, 'server', ...withFreeHttpPort(args)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | string>((r) =>
    child.on('exit', (code, signal) => r(code ?? signal ?? -1)),
  );
  const deadline = Date.now() + timeoutMs;
  while (!out.includes('broker started')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, bootstrap: `127.0.0.1:${port}`, output: () => out, exited };
}

/** Runs `strom ...` to completion. */
export function runStrom(args: string[], timeoutMs = 15_000): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const argv = args[0] === 'server' ? ['server', ...withFreeHttpPort(args.slice(1))] : args;
    const child = spawn(process.execPath, [STROM_BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      res({ code, out });
    });
  });
}
