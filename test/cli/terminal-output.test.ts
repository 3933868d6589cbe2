import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportError } from '../../src/cli/command-action.js';
import { ProgressLine } from '../../src/cli/progress-line.js';

/** Runs `fn` with a stream's isTTY and write replaced; returns what was written. */
function captured(stream: NodeJS.WriteStream, isTTY: boolean, fn: () => void): string {
  const original = { write: stream.write, isTTY: stream.isTTY };
  let out = '';
  stream.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof stream.write;
  stream.isTTY = isTTY;
  try {
    fn();
  } finally {
    stream.write = original.write;
    stream.isTTY = original.isTTY;
  }
  return out;
}

describe('terminal-only output', () => {
  it('shows a progress line on a terminal and nothing in a pipe', () => {
    const tty = captured(process.stdout, true, () => {
      const p = new ProgressLine();
      p.update('100 records');
      p.clear();
    });
    assert.ok(tty.startsWith('\r\u001b[K') && tty.includes('100 records') && tty.endsWith('\r\u001b[K'));
    const pipe = captured(process.stdout, false, () => {
      const p = new ProgressLine();
      p.update('100 records');
      p.clear();
    });
    assert.equal(pipe, '');
  });

  it('writes errors as one plain line in a pipe, and the stack only when verbose', () => {
    assert.equal(
      captured(process.stderr, false, () => reportError(new Error('boom'), false)),
      'Error: boom\n',
    );
    const verbose = captured(process.stderr, false, () => reportError(new Error('boom'), true));
    assert.match(verbose, /^Error: boom\nError: boom\n\s+at /);
  });
});
