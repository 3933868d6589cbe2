import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveClusterId } from '../../src/broker/cluster/cluster-id.js';
import { systemClock } from '../../src/common/clock.js';
import { noopLogger } from '../../src/common/logger.js';
import { EtcdHttpClient } from '../../src/metadata/etcd/etcd-http-client.js';
import { waitUntil } from '../helpers/cluster-processes.js';
import { type EtcdProcess, startEtcd } from '../helpers/etcd-process.js';
import { request } from '../helpers/request.js';
import { STROM_BIN } from '../helpers/server-process.js';
import { createTopic } from '../metadata/etcd/cluster-metadata.js';
import { ClusterNode, PausableKv } from '../metadata/etcd/cluster-node.js';
import { strom } from './cli-helpers.js';

/** The pids of a process's direct children, from /proc. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s.length > 0)
      .map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('strom cluster up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-cluster-up-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('starts etcd and the brokers, prints the bootstrap servers, and stops them all on SIGTERM', async () => {
    const up = spawn(
      process.execPath,
      [
        STROM_BIN,
        'cluster',
        'up',
        '--nodes',
        '2',
        '--data-dir',
        dir,
        '--port',
        '0',
        '--http-port',
        '0',
        '--etcd-port',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    up.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    up.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((r) => up.once('exit', (code) => r(code)));
    let children: number[] = [];
    try {
      await waitUntil(
        'the bootstrap servers printed',
        () => out.includes('Press Ctrl-C'),
        60_000,
        () => out,
      );
      const bootstrap = /Bootstrap servers: (\S+)/.exec(out)![1]!.split(',');
      assert.equal(bootstrap.length, 2);
      for (const b of bootstrap) {
        const md = await request<{ brokers: unknown[] }>(b.replace('localhost', '127.0.0.1'), 3, 12, {
          topics: [],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
        });
        assert.ok(md.brokers.length >= 1, `${b} answers Metadata`);
      }
      children = childrenOf(up.pid!);
      assert.equal(children.length, 3, 'etcd and two brokers');
      assert.match(out, /etcd ready on http:\/\/127\.0\.0\.1:\d+/);
      for (const f of ['etcd.log', 'broker-1.log', 'broker-2.log'])
        assert.ok(readFileSync(join(dir, 'logs', f), 'utf8') !== undefined);
      up.kill('SIGTERM');
      assert.equal(await exited, 0, out);
      assert.match(out, /Stopped\./);
      assert.deepEqual(children.filter(alive), [], 'no child left');
    } finally {
      for (const c of children) if (alive(c)) process.kill(c, 'SIGKILL');
      up.kill('SIGKILL');
    }
  });

  it('says how to get etcd when it is not on PATH', async () => {
    // An empty directory as PATH: the brokers run from process.execPath, etcd is looked up on PATH.
    const emptyPath = mkdtempSync(join(dir, 'empty-path-'));
    const res = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const c = spawn(
        process.execPath,
        [
          STROM_BIN,
          'cluster',
          'up',
          '--data-dir',
          join(dir, 'no-etcd'),
          '--port',
          '0',
          '--http-port',
          '0',
          '--etcd-port',
          '0',
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, PATH: emptyPath },
        },
      );
      const timer = setTimeout(() => c.kill('SIGTERM'), 30_000);
      let out = '';
      c.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      c.stderr.on('data', (d: Buffer) => {
        out += d.toString();
      });
      c.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
    assert.equal(res.code, 1, res.out);
    assert.match(
      res.out,
      /Error: etcd is not on PATH: install it \(Debian: apt install etcd-server\) or give --etcd-endpoints/,
    );
  });

  it('refuses a wrong command line with exit code 2', async () => {
    for (const args of [
      ['--nodes', '0'],
      ['--nodes', '100'],
      ['--port', '70000'],
      ['--etcd-endpoints', 'localhost:2379'],
      ['--override', 'no-equals'],
    ]) {
      const r = await strom(['cluster', 'up', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^Error: /);
    }
  });
});

describe('strom cluster status', () => {
  let etcd: EtcdProcess;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  it('shows the brokers, which are fenced, the active controller and etcd’s health', async () => {
    const kvs = [1, 2, 3].map(() => new PausableKv(new EtcdHttpClient([etcd.endpoint], noopLogger)));
    const nodes = kvs.map((k, i) => new ClusterNode(i + 1, k.kv, systemClock, `rack-${i + 1}`));
    try {
      // The cluster id as the first broker of a cluster stores it.
      const clusterId = await resolveClusterId(kvs[0]!.kv, '/test', {
        fromLogDirs: null,
        fromConfig: null,
        generated: 'MkU3OEVBNTcwNTJENDM2Qg',
      });
      for (const n of nodes) await n.start();
      await waitUntil(
        'one controller and three brokers registered',
        () => {
          const c = nodes.filter((n) => n.election.active);
          return (
            c.length === 1 && [...c[0]!.metadata.image.brokers.values()].filter((b) => !b.fenced).length === 3
          );
        },
        10_000,
      );
      const controller = nodes.find((n) => n.election.active)!;
      assert.equal(await createTopic(controller.metadata, 'six', 6), 0);
      // One broker stops heartbeating: its session expires and the controller fences it.
      const victim = nodes.find((n) => n !== controller)!;
      kvs[victim.id - 1]!.paused = true;
      await waitUntil(
        'the paused broker fenced',
        () => controller.metadata.image.brokers.get(victim.id)!.fenced,
        10_000,
      );

      const json = await strom([
        'cluster',
        'status',
        '--etcd-endpoints',
        etcd.endpoint,
        '--etcd-prefix',
        '/test',
        '--json',
      ]);
      assert.equal(json.code, 0, json.stderr);
      const s = JSON.parse(json.stdout) as {
        clusterId: string;
        controllerId: number;
        brokers: {
          nodeId: number;
          endpoints: string[];
          rack: string;
          fenced: boolean;
          sessionAlive: boolean;
        }[];
        topics: number;
        partitions: number;
        offlinePartitions: number;
        etcd: { endpoint: string; healthy: boolean; version: string; leader: boolean }[];
      };
      assert.equal(s.clusterId, clusterId);
      assert.equal(s.controllerId, controller.id);
      assert.deepEqual(
        s.brokers.map((b) => [b.nodeId, b.endpoints, b.rack, b.fenced, b.sessionAlive]),
        [1, 2, 3].map((id) => [
          id,
          [`PLAINTEXT://localhost:${9090 + id}`],
          `rack-${id}`,
          id === victim.id,
          id !== victim.id,
        ]),
      );
      assert.equal(s.topics, 1);
      assert.equal(s.partitions, 6);
      assert.equal(s.offlinePartitions, 2, 'the fenced broker led two of six partitions');
      assert.equal(s.etcd.length, 1);
      assert.equal(s.etcd[0]!.healthy, true);
      assert.equal(s.etcd[0]!.leader, true);
      assert.match(s.etcd[0]!.version, /^3\.\d+\.\d+$/);

      const text = await strom([
        'cluster',
        'status',
        '--etcd-endpoints',
        etcd.endpoint,
        '--etcd-prefix',
        '/test',
      ]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stdout,
        new RegExp(`^Cluster id: ${clusterId}\nActive controller: ${controller.id}\n`),
      );
      assert.match(text.stdout, /Topics: 1 {2}Partitions: 6 {2}Offline partitions: 2/);
      assert.match(
        text.stdout,
        new RegExp(
          `\n${victim.id} +PLAINTEXT://localhost:${9090 + victim.id} rack-${victim.id} fenced +expired`,
        ),
      );
      assert.match(
        text.stdout,
        new RegExp(
          `\n${controller.id} +PLAINTEXT://localhost:${9090 + controller.id} rack-${controller.id} active +alive`,
        ),
      );
      assert.match(text.stdout, /ETCD-ENDPOINT +HEALTH +VERSION +DB-SIZE +LEADER/);
      assert.match(text.stdout, /healthy 3\.\d+\.\d+ +\d+ +yes/);
    } finally {
      for (const k of kvs) k.resume();
      for (const n of nodes) await n.close();
    }
  });

  it('fails with exit code 1 when no etcd member answers', async () => {
    const r = await strom(['cluster', 'status', '--etcd-endpoints', 'http://127.0.0.1:1']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /http:\/\/127\.0\.0\.1:1 +unhealthy/);
    assert.match(r.stderr, /^Error: no healthy etcd member at http:\/\/127\.0\.0\.1:1\n/);
  });
});
