import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { BrokerObserver } from '../../src/broker/broker-observer.js';
import { BrokerConfig } from '../../src/broker/config/broker-config.js';
import { startBroker } from '../../src/broker/start-broker.js';
import { InvalidConfigError } from '../../src/common/config-def.js';
import { noopLogger } from '../../src/common/logger.js';
import { BrokerNode } from '../../src/http/broker-node.js';
import { healthRoutes } from '../../src/http/health-routes.js';
import { HttpListenError } from '../../src/http/http-listen-error.js';
import { parseHttpListeners } from '../../src/http/http-listeners.js';
import { HttpServer } from '../../src/http/http-server.js';
import { startNode } from './http-node.js';

/** Sends raw bytes and returns everything the server answers before it closes (bounded by a timeout). */
function rawExchange(port: number, bytes: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(out);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (c) => {
      out += c.toString('latin1');
    });
    socket.on('close', done);
    socket.on('error', done);
    socket.write(bytes, 'latin1');
  });
}

describe('strom.http.listeners', () => {
  it('parses http://host:port lists, and none or nothing as no listener', () => {
    assert.deepEqual(parseHttpListeners(['http://localhost:9644']), [
      { url: 'http://localhost:9644', host: 'localhost', port: 9644 },
    ]);
    assert.deepEqual(
      parseHttpListeners(['http://[::1]:9644', 'http://:9645']).map((l) => [l.host, l.port]),
      [
        ['::1', 9644],
        ['', 9645],
      ],
    );
    assert.deepEqual(parseHttpListeners(['none']), []);
    assert.deepEqual(parseHttpListeners(['NONE']), []);
    assert.deepEqual(parseHttpListeners([]), []);
    for (const bad of [
      'localhost:9644',
      'https://localhost:9644',
      'http://localhost',
      'http://localhost:99999',
    ])
      assert.throws(() => parseHttpListeners([bad]), InvalidConfigError, bad);
    assert.throws(() => parseHttpListeners(['http://localhost:9644', 'http://localhost:9644']), /twice/);
  });

  it('defaults to http://localhost:9644', () => {
    const config = new BrokerConfig(new Map([['log.dirs', '/nonexistent']]));
    assert.deepEqual(config.get('strom.http.listeners'), ['http://localhost:9644']);
  });

  it('none runs the broker without an HTTP server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strom-http-none-'));
    try {
      const config = new BrokerConfig(
        new Map([
          ['listeners', 'PLAINTEXT://127.0.0.1:0'],
          ['log.dirs', dir],
          ['strom.http.listeners', 'none'],
        ]),
      );
      const node = await BrokerNode.start(config);
      try {
        assert.deepEqual(node.httpListeners, []);
        assert.ok(node.broker.listeners.length > 0);
      } finally {
        await node.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a port in use fails the start with HttpListenError, before the broker opens anything', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'strom-http-taken-'));
    try {
      const config = new BrokerConfig(
        new Map([
          ['listeners', 'PLAINTEXT://127.0.0.1:0'],
          ['log.dirs', dir],
          ['strom.http.listeners', `http://127.0.0.1:${port}`],
        ]),
      );
      const err = await BrokerNode.start(config).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof HttpListenError, String(err));
      assert.deepEqual([err.code, err.osCode], ['HTTP_LISTEN_FAILED', 'EADDRINUSE']);
      assert.match(
        err.message,
        new RegExp(`http://127\\.0\\.0\\.1:${port} cannot listen: the address is already in use`),
      );
      assert.match(err.message, /strom\.http\.listeners/);
      // Nothing was left open: the log dir is not locked, a broker starts on it.
      const b = await startBroker({ logDir: dir });
      await b.close();
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('HTTP endpoints', () => {
  it('/readyz says starting until the broker is up, ready while it serves, not ready once it stops', async () => {
    let observer: BrokerObserver | null = null;
    const http = new HttpServer(new Map(healthRoutes(() => observer)), noopLogger);
    const [bound] = await http.start([{ url: 'http://127.0.0.1:0', host: '127.0.0.1', port: 0 }]);
    const url = `http://127.0.0.1:${bound!.boundPort}`;
    const broker = await startBroker();
    try {
      const starting = await fetch(`${url}/readyz`);
      assert.equal(starting.status, 503);
      assert.equal(((await starting.json()) as { status: string }).status, 'starting');
      assert.equal((await fetch(`${url}/healthz`)).status, 200, 'the process is alive meanwhile');

      observer = broker.broker.observer;
      await broker.broker.services.replicas.backgroundLoad;
      const ready = await fetch(`${url}/readyz`);
      assert.deepEqual(await ready.json(), {
        status: 'ready',
        checks: { logsLoaded: true, listenersBound: true, registered: true },
      });
      assert.equal(ready.status, 200);

      await broker.close();
      const stopped = await fetch(`${url}/readyz`);
      assert.equal(stopped.status, 503);
      assert.equal(
        ((await stopped.json()) as { checks: { listenersBound: boolean } }).checks.listenersBound,
        false,
      );
    } finally {
      await broker.close();
      await http.close();
    }
  });

  it('answers an unknown path 404, another method 405, and garbage 400, and keeps serving', async () => {
    const s = await startNode();
    try {
      const port = Number(new URL(s.http).port);
      assert.equal((await fetch(`${s.http}/nope`)).status, 404);
      assert.equal((await fetch(`${s.http}/metrics/extra`)).status, 404);
      assert.equal((await fetch(`${s.http}/healthz?verbose=1`)).status, 200, 'a query string is ignored');
      const post = await fetch(`${s.http}/metrics`, { method: 'POST', body: 'x'.repeat(100_000) });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD');
      const head = await fetch(`${s.http}/metrics`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.match(head.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);

      assert.match(await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400 /);
      assert.match(
        await rawExchange(port, `GET /metrics HTTP/1.1\r\nX: ${'a'.repeat(64 * 1024)}\r\n\r\n`),
        /^HTTP\/1\.1 431 /,
      );
      assert.match(
        await rawExchange(port, 'GET http://elsewhere/ HTTP/1.1\r\nHost: x\r\n\r\n'),
        /^HTTP\/1\.1 404 /,
      );
      // A connection that sends half a request and goes away.
      await rawExchange(port, 'GET /metr', 100);

      assert.equal((await fetch(`${s.http}/healthz`)).status, 200);
      assert.equal((await fetch(`${s.http}/metrics`)).status, 200);
    } finally {
      await s.close();
    }
  });
});
