import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { MetadataResponse } from '../../src/protocol/generated/messages/metadata-response.js';
import { request } from '../helpers/request.js';
import {
  freePort,
  runStrom,
  STROM_BIN,
  startServerProcess,
  withFreeHttpPort,
} from '../helpers/server-process.js';

describe('strom server', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'strom-cli-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('serves, stops on SIGTERM with exit code 0, and keeps topics across a restart', async () => {
    const dir = tmp();
    const port = await freePort();
    const args = ['--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dir}`];
    const s1 = await startServerProcess(args, port);
    const created = await request<CreateTopicsResponse>(s1.bootstrap, ApiKey.CreateTopics, 5, {
      topics: [{ name: 'kept', numPartitions: 3, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
    s1.child.kill('SIGTERM');
    assert.equal(await s1.exited, 0);
    assert.match(s1.output(), /"broker stopped"/);

    const s2 = await startServerProcess(args, port);
    const md = await request<MetadataResponse>(s2.bootstrap, ApiKey.Metadata, 12, { topics: null });
    assert.deepEqual(
      md.topics.map((t) => [t.name, t.partitions.length]),
      [['kept', 3]],
    );
    s2.child.kill('SIGINT');
    assert.equal(await s2.exited, 0);
  });

  it('reads a server.properties file', async () => {
    const dir = tmp();
    const port = await freePort();
    const file = join(dir, 'server.properties');
    writeFileSync(
      file,
      `listeners=PLAINTEXT://127.0.0.1:${port}\nlog.dirs=${join(dir, 'data')}\nnum.partitions=4\n`,
    );
    const s = await startServerProcess(['--config', file], port);
    const md = await request<MetadataResponse>(s.bootstrap, ApiKey.Metadata, 9, {
      topics: [{ name: 'auto' }],
      allowAutoTopicCreation: true,
    });
    assert.equal(md.topics[0]!.partitions.length, 4);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  });

  it('refuses invalid configuration with exit code 1 before listening', async () => {
    const r = await runStrom([
      'server',
      '--override',
      'num.partitions=zero',
      '--override',
      `log.dirs=${tmp()}`,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.out, /num\.partitions/);
    assert.doesNotMatch(r.out, /listening/);
  });

  it('warns about unknown keys but starts', async () => {
    const port = await freePort();
    const s = await startServerProcess(
      [
        '--override',
        `listeners=PLAINTEXT://127.0.0.1:${port}`,
        '--override',
        `log.dirs=${tmp()}`,
        '--override',
        'made.up.key=1',
      ],
      port,
    );
    assert.match(s.output(), /unknown configuration key made\.up\.key/);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  });

  // A stop request may come while the broker is still starting (or just as it logs that it has
  // started): it must still end in a clean stop and exit code 0, not death by the signal.
  it('stops cleanly with exit code 0 on a SIGTERM that arrives during startup', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        STROM_BIN,
        'server',
        ...withFreeHttpPort(['--override', `listeners=PLAINTEXT://127.0.0.1:${port}`]),
        '--override',
        `log.dirs=${tmp()}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let signalled = false;
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      // The first line comes from opening the log dirs, long before the broker listens.
      if (!signalled) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
      child.on('exit', (c, sig) => r([c, sig])),
    );
    assert.deepEqual([code, signal], [0, null], out);
    assert.match(out, /"broker stopped"/);
  });

  it('refuses a second broker on a locked log dir', async () => {
    const dir = tmp();
    const port = await freePort();
    const s = await startServerProcess(
      ['--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dir}`],
      port,
    );
    const other = await freePort();
    const r = await runStrom([
      'server',
      '--override',
      `listeners=PLAINTEXT://127.0.0.1:${other}`,
      '--override',
      `log.dirs=${dir}`,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.out, /lock/i);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  });

  it('names the address in use and the override that picks another port', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      const r = await runStrom([
        'server',
        '--override',
        `listeners=PLAINTEXT://127.0.0.1:${port}`,
        '--override',
        `log.dirs=${tmp()}`,
      ]);
      assert.equal(r.code, 1);
      const failure = r.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((l) => l.level === 'error');
      assert.equal(
        failure.msg,
        `broker failed to start: 127.0.0.1:${port} is already in use; choose another port with --override listeners=PLAINTEXT://127.0.0.1:${port + 1}`,
      );
      assert.equal(failure.code, 'LISTEN_FAILED');
      assert.doesNotMatch(r.out, /listener error/, 'the failure is logged once');
    } finally {
      taken.close();
    }
  });

  it('names the HTTP address in use and the setting to change', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      const r = await runStrom([
        'server',
        '--override',
        `listeners=PLAINTEXT://127.0.0.1:${await freePort()}`,
        '--override',
        `strom.http.listeners=http://127.0.0.1:${port}`,
        '--override',
        `log.dirs=${tmp()}`,
      ]);
      assert.equal(r.code, 1);
      const failure = r.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((l) => l.level === 'error');
      assert.equal(
        failure.msg,
        `broker failed to start: HTTP listener http://127.0.0.1:${port} cannot listen; set another address with --override strom.http.listeners=http://127.0.0.1:${port + 1} (or none)`,
      );
      assert.equal(failure.code, 'HTTP_LISTEN_FAILED');
      assert.doesNotMatch(r.out, /"broker started"/);
    } finally {
      taken.close();
    }
  });

  it('logs readable lines with --log-format pretty (the default on a terminal), JSON otherwise', async () => {
    const port = await freePort();
    const args = ['--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${tmp()}`];
    const s = await startServerProcess([...args, '--log-format', 'pretty'], port);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
    const lines = s.output().trim().split('\n');
    assert.ok(lines.length > 3);
    for (const line of lines) assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} (DEBUG|INFO |WARN |ERROR) \S/, line);
    assert.ok(lines.some((l) => /^\S+ INFO {2}listening .*port=\d+/.test(l)));
    assert.ok(!s.output().includes('\u001b'), 'no colour outside a terminal');
    const bad = await runStrom(['server', '--log-format', 'xml', ...args]);
    assert.equal(bad.code, 2);
  });

  it('exits 2 on a usage error', async () => {
    const r = await runStrom(['server', '--no-such-flag']);
    assert.equal(r.code, 2);
  });
});
