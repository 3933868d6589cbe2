import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGroupCluster, type TestCluster, uniqueTopic } from './client-helpers.js';

interface Report {
  pid: number;
  records: string[];
  assignment: number[];
}

const MEMBER = join(process.cwd(), 'dist/test/client/fixtures/group-member-process.js');

describe('consumer group across processes', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startGroupCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it('three member processes share the partitions and together read every record', async () => {
    const topic = uniqueTopic('mp');
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions: 3 }]);
    await admin.close();
    const producer = cluster.kafka.producer({ acks: 1 });
    await producer.sendBatch(
      topic,
      Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    );
    await producer.close();
    const bootstrap = cluster.kafka.config.bootstrapServers as string;
    const groupId = uniqueTopic('mp-group');
    const latest = new Map<number, Report>();
    const read = new Set<string>();
    const children: ChildProcess[] = [];
    const exited: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) {
      const child = spawn(process.execPath, [MEMBER, bootstrap, groupId, topic], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.push(child);
      exited.push(new Promise((resolve) => child.once('exit', resolve)));
      let buffered = '';
      child.stdout!.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const r = JSON.parse(line) as Report;
          latest.set(r.pid, r);
          for (const k of r.records) read.add(k);
        }
      });
    }
    try {
      const settled = (): boolean => {
        const reports = [...latest.values()];
        const owned = reports.flatMap((r) => r.assignment);
        const balanced = reports.every((r) => r.assignment.length === 1);
        return reports.length === 3 && balanced && new Set(owned).size === 3 && read.size === 300;
      };
      for (let i = 0; i < 600 && !settled(); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(read.size, 300, 'every record was read by some member');
      assert.deepEqual(
        [...latest.values()].map((r) => r.assignment.length),
        [1, 1, 1],
      );
      assert.deepEqual(new Set([...latest.values()].flatMap((r) => r.assignment)), new Set([0, 1, 2]));
    } finally {
      for (const c of children) c.stdin!.end();
      await Promise.all(exited);
    }
  });
});
