import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { waitUntil } from '../helpers/cluster-processes.js';
import { STROM_BIN } from '../helpers/server-process.js';

interface Step {
  code: string;
  /** The ```text block right after the command, if any: what it prints. */
  expected: string | null;
}

/** docs/cluster.md's one-machine section: its command blocks in order, each with its output. */
function quickstartSteps(): Step[] {
  const doc = readFileSync('docs/cluster.md', 'utf8');
  const section = doc.slice(doc.indexOf('## Trying it on one machine'), doc.indexOf('## Three machines'));
  const steps: Step[] = [];
  for (const m of section.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
    if (m[1] === 'text') {
      const last = steps.at(-1);
      assert.ok(last && last.expected === null, 'an output block follows a command block');
      last.expected = m[2]!;
    } else {
      assert.equal(m[1], 'sh');
      steps.push({ code: m[2]!.trim(), expected: null });
    }
  }
  return steps;
}

/**
 * Output as the page shows it: the test's free ports back to 9092-9094 and 2379, and what differs
 * on every run made neutral: the cluster and topic ids, broker epochs, the metadata offset, etcd's size, which
 * broker is the controller, and which broker leads partition 0 (the controller picks a random
 * first broker, then the others in turn, as Kafka's StripedReplicaPlacer does).
 */
function normalise(text: string, ports: readonly string[], etcd: string): string {
  let out = text;
  ports.forEach((p, i) => {
    out = out.replaceAll(`localhost:${p}`, `localhost:${9092 + i}`);
  });
  out = out.replaceAll(etcd, 'http://127.0.0.1:2379');
  out = out
    .replace(/TopicId: [A-Za-z0-9_-]{22}/g, 'TopicId: <id>')
    .replace(/Cluster id: [A-Za-z0-9_-]{22}/, 'Cluster id: <id>')
    .replace(/Active controller: \d+/, 'Active controller: <id>')
    .replace(/Metadata offset: \d+/, 'Metadata offset: <offset>')
    .replace(/(active|fenced) +(alive|expired) +\d+/g, '$1 $2 <epoch>')
    .replace(/(healthy +\S+ +)\d+/, '$1<bytes>');
  const leader0 = /Partition: 0\tLeader: (\d+)/.exec(out)?.[1];
  if (leader0 !== undefined) {
    const shift = Number(leader0) - 1;
    out = out.replace(
      /(Leader|Replicas|Isr): (\d+)/g,
      (_, k: string, id: string) => `${k}: ${((Number(id) - 1 - shift + 3) % 3) + 1}`,
    );
  }
  return out
    .split('\n')
    .map((l) => l.replace(/ {2,}/g, ' ').trimEnd())
    .join('\n')
    .trimEnd();
}

describe('docs/cluster.md quickstart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-cluster-doc-'));
  let up: ChildProcess | null = null;
  after(async () => {
    if (up && up.exitCode === null) {
      const exited = new Promise((r) => up!.once('exit', r));
      up.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every command as written against a cluster of three and prints what the page shows', async () => {
    const steps = quickstartSteps();
    assert.deepEqual(steps[0], { code: 'strom cluster up --nodes 3', expected: null });
    assert.ok(steps.length >= 6, 'status, create, describe, produce, consume');
    // The page's ports may be taken on a shared machine: the test adds free ones and a data dir.
    const args = [
      'cluster',
      'up',
      '--nodes',
      '3',
      '--data-dir',
      dir,
      '--port',
      '0',
      '--http-port',
      '0',
      '--etcd-port',
      '0',
    ];
    const child = spawn(process.execPath, [STROM_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    up = child;
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    await waitUntil(
      'the cluster up',
      () => {
        if (child.exitCode !== null) throw new Error(`strom cluster up exited:\n${out}`);
        return out.includes('Press Ctrl-C');
      },
      60_000,
      () => out,
    );
    const ports = /Bootstrap servers: (\S+)/
      .exec(out)![1]!
      .split(',')
      .map((a) => a.split(':')[1]!);
    const etcd = /etcd ready on (http:\/\/\S+)/.exec(out)![1]!;
    for (const step of steps.slice(1)) {
      let code = step.code;
      ports.forEach((p, i) => {
        code = code.replaceAll(`localhost:${9092 + i}`, `localhost:${p}`);
      });
      code = code.replaceAll('strom cluster status', `strom cluster status --etcd-endpoints ${etcd}`);
      const printed = execFileSync(
        'sh',
        ['-c', `strom() { "${process.execPath}" "${STROM_BIN}" "$@"; }\n${code}`],
        {
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      assert.equal(
        normalise(printed, ports, etcd),
        normalise(step.expected ?? '', ['9092', '9093', '9094'], 'http://127.0.0.1:2379'),
        `output of:\n${step.code}`,
      );
    }
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    child.kill('SIGINT');
    assert.equal(await exited, 0, out);
    assert.match(out, /Stopped\.\n$/);
  });
});
