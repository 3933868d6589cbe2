import pc from 'picocolors';

/**
 * A status line rewritten in place, shown only when stdout is a terminal: pipes, files and
 * tests get the final figures alone.
 */
export class ProgressLine {
  readonly enabled = process.stdout.isTTY === true;
  private shown = false;

  update(text: string): void {
    if (!this.enabled) return;
    process.stdout.write(`\r\x1b[K${pc.dim(text)}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) process.stdout.write('\r\x1b[K');
    this.shown = false;
  }
}
