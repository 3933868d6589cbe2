import { spawn } from 'node:child_process';

const COMMAND_TIMEOUT_MS = 60_000;

/** Runs a command to completion; rejects with its output when it fails or outlives the timeout. */
export function runCommand(
  cmd: string,
  args: string[],
  stdin = '',
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}: ${err.trim()}`));
    });
    // A command that exits without reading its input closes the pipe first: not an error here.
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
  });
}
