import type { Writable } from 'node:stream';

/**
 * Corks a stream until the next tick: everything written before then (the responses completed, or
 * the requests sent, in one turn) leaves in one writev instead of a syscall each.
 */
export class TickCork {
  private corked = false;

  constructor(private readonly stream: Writable) {}

  /** Call before writing; the stream is uncorked once the current tick's work is done. */
  hold(): void {
    if (this.corked) return;
    this.corked = true;
    this.stream.cork();
    process.nextTick(this.release);
  }

  private readonly release = (): void => {
    this.corked = false;
    this.stream.uncork();
  };
}
