import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { STROM_BIN } from '../helpers/server-process.js';

/** A `strom connect ...` child process with its output collected. */
export interface ConnectProcess {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
  /** SIGKILLs it if it still runs (cleanup after a failed test). */
  kill(): void;
}

export function startConnectProcess(args: readonly string[], cwd: string): ConnectProcess {
  const child = spawn(process.execPath, [STROM_BIN, 'connect', ...args, '--log-format', 'json'], {
    cwd,
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
  return {
    child,
    output: () => out,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * Waits until `check` holds, polling every 50 ms (after `refresh`, when given, gathers what it
 * reads); fails with `describe()` after `timeoutMs`.
 */
export async function waitFor(
  check: () => boolean,
  describe: () => string,
  timeoutMs = 30_000,
  refresh?: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (refresh) await refresh().catch(() => {});
    if (check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${describe()}`);
    await new Promise((r) => setTimeout(r, refresh ? 250 : 50));
  }
}

/** A file's text, or '' while it does not exist. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
