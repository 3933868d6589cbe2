/**
 * What a closed stdout or stderr does (`strom dump-log … | head -2`): a Unix tool killed by SIGPIPE
 * ends without a word, so the command ends quietly with exit code 0 instead of crashing on an
 * unhandled EPIPE 'error' event. A command with a clean way to stop (console-consumer closes its
 * consumer, the server closes the broker) sets `onClosedOutput` to take over while it runs.
 */
let onClosed: (() => void) | null = null;
let closed = false;

/** Whether an error is the write failure of a stream whose reader has gone. */
export function isClosedOutputError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/** Sets (or clears, with null) what a closed output does instead of ending the process. */
export function onClosedOutput(handler: (() => void) | null): void {
  onClosed = handler;
}

function handle(err: Error): void {
  if (!isClosedOutputError(err)) throw err;
  if (closed) return;
  closed = true;
  if (onClosed !== null) onClosed();
  else process.exit(0);
}

/** Installs the listeners once per process, before anything is written. */
export function endQuietlyOnClosedOutput(): void {
  if (process.stdout.listeners('error').includes(handle)) return;
  process.stdout.on('error', handle);
  process.stderr.on('error', handle);
}
