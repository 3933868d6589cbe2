import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerSpec } from './load-worker.js';
import type { SuiteContext } from './suite-context.js';
import { READY_LINE, RESULT_PREFIX, type WorkerResult } from './worker-protocol.js';

/**
 * Every process the suite starts is registered here, so that it stops them all by PID when it
 * ends, fails or is interrupted (Ctrl-C), and never leaves a broker or generator behind.
 */
const running = new Set<ChildProcess>();

export function spawnTracked(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/**
 * Runs a benchmark script (bench/*.bench.js) in a tracked process of its own and returns the
 * object it printed on its `BENCH_JSON ` line; when it printed none, records the section as
 * skipped with the script's exit code and returns null.
 */
export async function runBenchScript<T>(
  ctx: SuiteContext,
  section: string,
  script: string,
  args: string[],
): Promise<T | null> {
  const child = spawnTracked(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    out += d;
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (!line) {
    ctx.rec.skip(section, `${basename(script)} exited with ${code} without results`);
    return null;
  }
  return JSON.parse(line.slice('BENCH_JSON '.length)) as T;
}

/** Waits for `child` to exit, sending SIGKILL if `signal` did not end it within `graceMs`. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function killAllSync(): void {
  for (const child of running) {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  running.clear();
}

/** Ctrl-C or SIGTERM: stop what we started, then exit with the conventional status. */
export function installSignalHandlers(cleanup: () => void): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping ${running.size} process(es) the suite started`);
      killAllSync();
      cleanup();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  process.once('exit', killAllSync);
}

const WORKER = fileURLToPath(new URL('./load-worker.js', import.meta.url));

/** A running load generator: `ready` resolves with the READY line's payload, `result` at its end. */
export interface Worker {
  ready: Promise<string>;
  result: Promise<WorkerResult>;
  stop(): void;
}

export function startWorker(spec: WorkerSpec): Worker {
  const child = spawnTracked(process.execPath, [WORKER, JSON.stringify(spec)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  let onReady: (info: string) => void = () => {};
  const ready = new Promise<string>((r) => {
    onReady = r;
  });
  const result = new Promise<WorkerResult>((resolve, reject) => {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      out += d;
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith(READY_LINE)) onReady(line.slice(READY_LINE.length).trim());
        else if (line.startsWith(RESULT_PREFIX)) resolve(JSON.parse(line.slice(RESULT_PREFIX.length)));
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`${spec.kind} worker exited with ${code} before its result`)),
    );
  });
  // A worker that dies before READY must not leave the caller waiting for it.
  result.catch(() => onReady(''));
  return {
    ready,
    result,
    stop: () => {
      child.stdin!.end('stop\n');
    },
  };
}
