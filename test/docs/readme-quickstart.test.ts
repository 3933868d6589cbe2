import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, STROM_BIN, startServerProcess } from '../helpers/server-process.js';

interface Step {
  lang: 'sh' | 'python';
  code: string;
  /** The ```text block right after the command, if any: what it prints. */
  expected: string | null;
}

/** The quickstart's command blocks in order, each with the output the README shows for it. */
function quickstartSteps(): Step[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Quickstart'), readme.indexOf('### In your own tests'));
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
  const steps: Step[] = [];
  for (const b of blocks) {
    if (b.lang === 'text') {
      const last = steps.at(-1);
      assert.ok(last && last.expected === null, 'an output block follows a command block');
      last.expected = b.code;
    } else {
      assert.ok(b.lang === 'sh' || b.lang === 'python', `unexpected block language ${b.lang}`);
      steps.push({ lang: b.lang, code: b.code.trim(), expected: null });
    }
  }
  return steps;
}

/** Output compared line by line without trailing blanks; topic ids differ on every run. */
function normalise(text: string): string {
  return text
    .replace(/TopicId: [A-Za-z0-9_-]{22}/g, 'TopicId: <id>')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trimEnd();
}

describe('README quickstart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-readme-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every command as written against a broker and prints what the README shows', async () => {
    const steps = quickstartSteps();
    assert.deepEqual(
      steps[0],
      { lang: 'sh', code: 'npm start', expected: null },
      'the quickstart starts the server',
    );
    assert.ok(steps.length >= 9, 'create, describe, produce, consume, kcat, python, produce, group lag');
    const port = await freePort();
    // `npm start` is `strom server`; the test adds a free port and a temporary data directory.
    const server = await startServerProcess(
      ['--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dir}`],
      port,
    );
    try {
      for (const step of steps.slice(1)) {
        const code = step.code.replaceAll('localhost:9092', `127.0.0.1:${port}`);
        const out =
          step.lang === 'sh'
            ? // The README's `strom` is the package's bin script.
              execFileSync('sh', ['-c', `strom() { "${process.execPath}" "${STROM_BIN}" "$@"; }\n${code}`], {
                encoding: 'utf8',
                timeout: 30_000,
              })
            : // Debian's python3 is the one with confluent-kafka installed.
              execFileSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8', timeout: 30_000 });
        assert.equal(normalise(out), normalise(step.expected ?? ''), `output of:\n${step.code}`);
      }
    } finally {
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
    }
  });
});
