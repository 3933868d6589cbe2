import { spawn } from 'node:child_process';

/** Seeded so that a failure can be replayed: the seed is printed in the assertion messages. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

/**
 * Runs a child script that prints "ready" and then "<offset> <seq>" per acknowledged append, and
 * SIGKILLs it `delayMs` after its `armAfterAcks`-th acknowledgement. Resolves with the
 * acknowledgements. Counting acknowledgements rather than time keeps what a run exercises (e.g. that
 * a cleaner pass happened before the kill) independent of how loaded the machine is.
 */
export function runAndKill(
  script: string,
  args: string[],
  delayMs: number,
  armAfterAcks = 1,
): Promise<Map<number, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<number, number>();
    let buffered = '';
    let stderr = '';
    let armed = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line === 'ready') continue;
        const [offset, seq] = line.split(' ').map(Number);
        acked.set(offset!, seq!);
        if (!armed && acked.size >= armAfterAcks) {
          armed = true;
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}
