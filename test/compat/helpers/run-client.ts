import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { kcatInput } from './compat-records.js';
import { CLIENTS_DIR } from './repo-root.js';

/** Debian's interpreter: the Python client packages are installed for it, not for other pythons. */
const PYTHON = '/usr/bin/python3';
const DEFAULT_TIMEOUT_MS = 120_000;

export interface ClientResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a client command to completion. A missing program fails the test with the package to
 * install: CI installs every client (.ci/run), so an absent one is a broken environment.
 */
export function runClient(
  cmd: string,
  args: readonly string[],
  options: { stdin?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.env ? { env: options.env } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ENOENT') {
        reject(new Error(`${cmd} is not installed; CI installs it in .ci/run (see docs/compatibility.md)`));
      } else reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? -1 : null),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
}

/** Runs a client and requires exit code 0; resolves to its standard output. */
export async function runOk(
  cmd: string,
  args: readonly string[],
  options: { stdin?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const r = await runClient(cmd, args, options);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')} failed:\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

/** Runs one of the Python client scripts in clients/ with Debian's python3. */
export function python(script: string, args: readonly (string | number)[], timeoutMs?: number) {
  return runOk(PYTHON, [join(CLIENTS_DIR, script), ...args.map(String)], timeoutMs ? { timeoutMs } : {});
}

/** kcat with a client id the broker log can attribute; `args` are kcat's own. */
export function kcat(bootstrap: string, args: readonly string[], stdin?: string): Promise<string> {
  return runOk('kcat', ['-b', bootstrap, '-X', 'client.id=compat-kcat', ...args], stdin ? { stdin } : {});
}

/** kcat consumer of partition 0 from `offset` to the end, in the format assertConsumed reads. */
export function kcatConsume(bootstrap: string, topic: string, offset = 'beginning'): Promise<string> {
  return kcat(bootstrap, [
    '-C',
    '-t',
    topic,
    '-p',
    '0',
    '-o',
    offset,
    '-e',
    '-q',
    '-Z',
    '-X',
    'fetch.message.max.bytes=4194304',
    '-f',
    '%o\t%k\t%s\t%h\n',
  ]);
}

/** Produces the compat records to partition 0 with kcat, acks=all, with the given codec. */
export function kcatProduce(bootstrap: string, topic: string, count: number, codec: string): Promise<string> {
  return kcat(
    bootstrap,
    [
      '-P',
      '-t',
      topic,
      '-p',
      '0',
      '-K',
      '\t',
      '-Z',
      '-H',
      'trace=compat',
      '-H',
      'lang=any',
      '-z',
      codec,
      '-X',
      'acks=all',
    ],
    kcatInput(count),
  );
}
