import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, startServerProcess } from '../helpers/server-process.js';

/** The shell commands of the README's quickstart that talk to the broker. */
function quickstartCommands(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Quickstart'), readme.indexOf('### In your own tests'));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
  return blocks.filter((b) => b.startsWith('printf') || b.startsWith('kcat'));
}

describe('README quickstart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-readme-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs as written against a broker and reads back the events it wrote', async () => {
    const commands = quickstartCommands();
    assert.equal(commands.length, 2, 'the quickstart writes then reads');
    const port = await freePort();
    const server = await startServerProcess(
      ['--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dir}`],
      port,
    );
    try {
      const outputs = commands.map((c) =>
        execFileSync('sh', ['-c', c.replaceAll('localhost:9092', `127.0.0.1:${port}`)], {
          encoding: 'utf8',
          timeout: 20_000,
        }),
      );
      assert.deepEqual(outputs[1]!.trim().split('\n'), ['This is my first event', 'This is my second event']);
    } finally {
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
    }
  });
});
